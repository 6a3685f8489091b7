from servicekit.cli import run

from intake.main import SERVICE

run(SERVICE)
