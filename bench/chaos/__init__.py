"""`make chaos`: the suite attacked from outside (SIGKILLs of every service and of Redis under operator load), then audited."""
