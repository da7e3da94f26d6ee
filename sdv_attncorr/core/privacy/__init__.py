"""Differentially private training: noise, private steps and the Rényi-DP accountant."""
