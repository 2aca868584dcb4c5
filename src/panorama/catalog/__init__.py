"""The catalogue: products and services, categories, units, taxes, exchange rates, options
and their rules, price lists, promotions, financing plans, and the one pricing service."""
