"""What the test suite and the benchmark share: a free port, the real server started
as the Procfile runs it, a schema reset, and the torture and crash drivers (the suite
runs them briefly, `make torture` / `make crash` at length).

It sits beside the `tack` package, not inside it: nothing here belongs in a deployed
install (it drops schemas and spawns servers), and tests/ and bench/ both import it
instead of importing each other."""
