"""Agents are people (issue 21, point 4): one account each, secrets stored only as hashes, and an
audit log of who read, answered and closed which ticket. The admin key manages accounts."""

from __future__ import annotations

import sqlalchemy as sa

from bot import helpdesk
from bot.helpdesk.agents import agents as agents_table
from tests.helpdesk_support import agent_headers
from tests.test_helpdesk_api import BOTH_DATABASES, client, clock, database, open_ticket, rasa  # noqa: F401

PASSWORD = "correct horse battery staple"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def add_agent(client, name: str, password: str = None) -> str:  # noqa: F811
    body = {"name": name, **({"password": password} if password else {})}
    reply = await client.post("/api/agents", json=body, headers=agent_headers())
    assert reply.status == 201, await reply.text()
    return (await reply.json())["token"]


@BOTH_DATABASES
async def test_two_agents_each_have_their_own_audit_entries(client, clock):  # noqa: F811
    sam, noor = await add_agent(client, "sam"), await add_agent(client, "noor")
    number = (await open_ticket(client, language="fa"))["ticket_id"]

    assert (await client.get(f"/api/tickets/{number}", headers=bearer(sam))).status == 200
    clock.now += 60
    await client.post(f"/api/tickets/{number}/reply", json={"macro": "phrase.greeting"}, headers=bearer(noor))
    clock.now += 60
    await client.post(f"/api/tickets/{number}/close", headers=bearer(sam))

    log = (await (await client.get(f"/api/audit?ticket_id={number}", headers=agent_headers())).json())["entries"]
    assert [(e["agent"], e["action"]) for e in log] == [("sam", "read"), ("noor", "answered"), ("sam", "closed")]
    assert log[1]["detail"] == "phrase.greeting" and log[2]["at"] - log[0]["at"] == 120
    noor_only = (await (await client.get("/api/audit?agent=noor", headers=agent_headers())).json())["entries"]
    assert {e["agent"] for e in noor_only} == {"noor"}


async def test_only_the_admin_key_manages_agents_and_reads_the_audit_log(client):  # noqa: F811
    sam = await add_agent(client, "sam")
    assert (await client.post("/api/agents", json={"name": "eve"}, headers=bearer(sam))).status == 403
    assert (await client.get("/api/audit", headers=bearer(sam))).status == 403
    assert (await client.get("/api/agents")).status == 401
    again = await client.post("/api/agents", json={"name": "sam"}, headers=agent_headers())
    assert again.status == 409
    for bad in ({"name": "admin"}, {"name": "Sam Smith"}, {"name": "x", "password": "short"}, {}):
        assert (await client.post("/api/agents", json=bad, headers=agent_headers())).status == 400, bad
    listed = (await (await client.get("/api/agents", headers=agent_headers())).json())["agents"]
    assert [a["name"] for a in listed] == ["sam"]


async def test_a_removed_agent_can_no_longer_read_tickets(client):  # noqa: F811
    sam = await add_agent(client, "sam")
    assert (await client.get("/api/tickets", headers=bearer(sam))).status == 200
    assert (await client.delete("/api/agents/sam", headers=agent_headers())).status == 200
    assert (await client.get("/api/tickets", headers=bearer(sam))).status == 401
    assert (await client.delete("/api/agents/sam", headers=agent_headers())).status == 404
    actions = [e["action"] for e in (await (await client.get("/api/audit", headers=agent_headers())).json())["entries"]]
    assert actions[0] == "added_agent" and actions[-1] == "removed_agent"


async def test_tokens_and_passwords_are_stored_only_as_hashes(client):  # noqa: F811
    token = await add_agent(client, "noor", PASSWORD)
    async with client.app[helpdesk.HELPDESK].store.engine.connect() as connection:
        row = (await connection.execute(sa.select(agents_table))).one()
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert PASSWORD not in row.password_hash and row.password_hash.startswith("scrypt$")


async def test_an_agent_signs_in_to_the_inbox_with_a_password_and_is_audited(client):  # noqa: F811
    await add_agent(client, "noor", PASSWORD)
    number = (await open_ticket(client))["ticket_id"]
    wrong = await client.post("/helpdesk/sign-in", data={"name": "noor", "secret": "not the password"})
    assert wrong.status == 401
    signed = await client.post("/helpdesk/sign-in", data={"name": "noor", "secret": PASSWORD}, allow_redirects=False)
    assert signed.status == 303
    page = await (await client.get(f"/helpdesk/tickets/{number}")).text()
    assert "Ticket #" in page
    log = (await (await client.get(f"/api/audit?ticket_id={number}", headers=agent_headers())).json())["entries"]
    assert [(e["agent"], e["action"]) for e in log] == [("noor", "read")]
    await client.delete("/api/agents/noor", headers=agent_headers())
    assert "Sign in" in await (await client.get("/helpdesk")).text()  # the session ends with the account
