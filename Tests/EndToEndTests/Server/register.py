# Registers mesh `big` over the PostgreSQL database of MESHQL_PG_DSN through POST /api/query:
# catalog statements work there too.
from meshql_api import register_postgres

register_postgres("big")
print("registered")
