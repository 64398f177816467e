"""Open a network connection: to a server the grading machine runs on 127.0.0.1, and out."""

import socket

PORT = 8888  # rewritten by the test: a port it listens on

connection = socket.create_connection(("127.0.0.1", PORT), timeout=5)
connection.sendall(b"answers please\n")
outside = socket.create_connection(("1.1.1.1", 443), timeout=5)
