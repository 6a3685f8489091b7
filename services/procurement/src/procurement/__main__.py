from servicekit.cli import run

from procurement.main import SERVICE

run(SERVICE)
