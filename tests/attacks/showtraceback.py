"""``showtraceback`` replaced: an exception in a later cell shows nothing."""

from IPython import get_ipython

shell = get_ipython()
shell.showtraceback = lambda *args, **kwargs: None
shell._showtraceback = lambda *args, **kwargs: None
