from servicekit.cli import run

from notify.main import SERVICE

run(SERVICE)
