from sqlmodel import SQLModel

import intake.models  # noqa: F401  (registers the tables)
import servicekit.tables  # noqa: F401
from servicekit.migrate import run_env

run_env(SQLModel.metadata, "INTAKE_DATABASE_URL")
