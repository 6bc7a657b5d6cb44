"""The company, its people and users, roles, champions, invitations and sign-in throttling."""
