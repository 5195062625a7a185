"""No models. The module exists so that Django sends ``post_migrate`` for this app too: the
standard roles are ensured when the last installed app migrates (accounts/roles.py), and an app
without a models module gets no signal."""
