"""The benchmark's baseline: a bare FastAPI endpoint doing one insert plus one outbox row.

It is what a declaration costs with nothing of the platform around it (no token check, no
rules, no audit), run against the same PostgreSQL in the same run as intake.
"""

from __future__ import annotations

import json
import os
import uuid
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request

DSN = os.environ["BASELINE_DSN"]


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DSN, min_size=5, max_size=20)
    async with app.state.pool.acquire() as connection:
        await connection.execute("""
            CREATE TABLE IF NOT EXISTS baseline_declaration (id uuid PRIMARY KEY, unit_id text NOT NULL, body jsonb NOT NULL,
                                                             submitted_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS baseline_outbox (id bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE,
                                                        payload bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        """)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/declarations", status_code=201)
async def declare(request: Request) -> dict:
    body = await request.json()
    declaration_id, event_id = uuid.uuid4(), str(uuid.uuid4())
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        await connection.execute("INSERT INTO baseline_declaration (id, unit_id, body) VALUES ($1, $2, $3)",
                                 declaration_id, body["unit_id"], json.dumps(body))
        await connection.execute("INSERT INTO baseline_outbox (event_id, payload) VALUES ($1, $2)",
                                 event_id, json.dumps(body).encode())
    return {"application_id": str(declaration_id)}
