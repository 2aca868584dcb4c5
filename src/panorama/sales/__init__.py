"""Sales: leads, opportunities, pipelines and stages, quotes, orders, agenda, scripts, forecasts."""
