"""Networks: residual blocks, column-token attention, generator bodies, critics, output heads."""
