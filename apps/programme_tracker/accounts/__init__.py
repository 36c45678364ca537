"""Staff accounts and the roles (groups with permissions) of coordinators, finance officers and monitors."""
