"""Recognition: the wins the engine finds (stored by natural key), kudos, the balance panel."""
