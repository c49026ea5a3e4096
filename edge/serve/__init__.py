"""`edge serve`: the live reader with a web page, a JSON API, health, metrics and MQTT."""
