"""The demo: a believable program at every stage of its life; the one package importing all apps."""
