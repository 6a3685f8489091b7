from servicekit.cli import run

from review.main import SERVICE

run(SERVICE)
