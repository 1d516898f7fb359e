# The seed's Python example (seeds/mesh-api.txt), unchanged below the marked line. The test
# only supplies API_URL and get_headers(), as a client of the seed's API would.
import os
import requests

API_URL = os.environ["MESHQL_API_URL"]


def get_headers():
    return {"Authorization": f"Bearer {os.environ['MESHQL_TOKEN']}", "x-org": os.environ["MESHQL_ORG"]}

# ---- from seeds/mesh-api.txt ----
def create_mesh(name, description, purpose, owner_email="[email protected]"):
    """Create a new data mesh"""
    mesh_resp = requests.post(
        f"{API_URL}/data/mesh",
        headers=get_headers(),
        json={
            "entity": {
                "name": name,
                "entity_type": "mesh",
                "label": name[:3].upper(),
                "description": description,
                "purpose": purpose,
                "assignees": [
                    {
                        "email": owner_email,
                        "full_name": "Mesh Administrator",
                        "role": "Administrator"
                    }
                ],
                "security_policy": ["default_policy"]
            },
            "entity_info": {
                "owner": owner_email,
                "contact_ids": [f"{name} Support"],
                "links": []
            }
        }
    )
    
    if mesh_resp.status_code == 200:
        mesh_id = mesh_resp.json()["entity"]["identifier"]
        print(f"Mesh '{name}' created with ID: {mesh_id}")
        return mesh_id
    else:
        print(f"Error creating mesh: {mesh_resp.text}")
        return None

# Example usage
sales_mesh_id = create_mesh(
    name="Sales Analytics",
    description="Data mesh for sales performance analysis and reporting",
    purpose="Enable data-driven sales insights and performance optimization",
    owner_email="[email protected]"
)
