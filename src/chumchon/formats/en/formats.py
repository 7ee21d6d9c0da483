# Dates are shown in Buddhist Era by the `be` template filters, never by these formats; they only
# keep Django's own widgets (admin) reading and writing day/month/year.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
