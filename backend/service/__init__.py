"""The top: the HTTP server and the command line over `pipeline`. Nothing imports it but __main__."""
