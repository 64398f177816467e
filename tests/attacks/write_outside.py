"""Write outside the job folder: into every folder above it, the grader's /tmp, the Python
environment and IPython's startup folder (code that would run in the next student's kernel)."""

import os
import sys

MARKER = "cnncourse-attack-marker"  # rewritten by the test

targets = [os.path.expanduser("~/.ipython/profile_default/startup")]
folder = os.getcwd()
while folder != os.path.dirname(folder):
    folder = os.path.dirname(folder)
    targets.append(folder)
targets += ["/tmp", os.path.join(sys.prefix, "lib")]
for target in targets:
    try:
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, MARKER), "w") as handle:
            handle.write("print('planted by another submission')\n")
    except OSError:
        pass
with open(os.path.join(sys.prefix, MARKER), "w") as handle:  # fails when it cannot
    handle.write("planted")
