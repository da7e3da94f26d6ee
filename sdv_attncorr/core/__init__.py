"""The pure-torch GAN engine (no pandas, SDV or RDT): nets/, losses/, training/ and the engine."""
