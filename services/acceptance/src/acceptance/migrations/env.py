from sqlmodel import SQLModel

import acceptance.models  # noqa: F401  (registers the tables)
import servicekit.tables  # noqa: F401
from servicekit.migrate import run_env

run_env(SQLModel.metadata, "ACCEPTANCE_DATABASE_URL")
