print("meshql")
