from servicekit.cli import run

from acceptance.main import SERVICE

run(SERVICE)
