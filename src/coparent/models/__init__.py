"""Customer-base and experiment models: BG/NBD, Gamma-Gamma, RFM, win-back and the offer lab.

The models fit in numpy/scipy on small sufficient statistics that the engine
aggregated (`customer_base.triples`), never on raw order rows; data preparation
(`customer_base`) builds Ibis expressions. One model per module; ``fit()``
returns ``self`` and fitted attributes end in ``_``.
"""
