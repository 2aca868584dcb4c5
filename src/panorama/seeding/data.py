"""Fixed vocabularies of the synthetic data: names, places, products, contact subjects.

Names come once from Faker's pinned es_ES / en_US lists (module data, not a Faker call
per row, which would be far too slow for a million customers).
"""

from decimal import Decimal

from faker.providers.person.en_US import Provider as EnglishNames
from faker.providers.person.es_ES import Provider as SpanishNames

ES_MALE = tuple(SpanishNames.first_names_male)
ES_FEMALE = tuple(SpanishNames.first_names_female)
ES_SURNAMES = tuple(SpanishNames.last_names)
EN_MALE = tuple(EnglishNames.first_names_male)
EN_FEMALE = tuple(EnglishNames.first_names_female)
EN_SURNAMES = tuple(EnglishNames.last_names)

# (city, region, two first digits of its postal codes)
CITIES = (
    ("Madrid", "Madrid", "28"),
    ("Barcelona", "Barcelona", "08"),
    ("Valencia", "Valencia", "46"),
    ("Sevilla", "Sevilla", "41"),
    ("Zaragoza", "Zaragoza", "50"),
    ("Málaga", "Málaga", "29"),
    ("Murcia", "Murcia", "30"),
    ("Palma", "Illes Balears", "07"),
    ("Bilbao", "Bizkaia", "48"),
    ("Alicante", "Alicante", "03"),
    ("Córdoba", "Córdoba", "14"),
    ("Valladolid", "Valladolid", "47"),
    ("Vigo", "Pontevedra", "36"),
    ("Gijón", "Asturias", "33"),
    ("A Coruña", "A Coruña", "15"),
    ("Granada", "Granada", "18"),
    ("Vitoria-Gasteiz", "Araba", "01"),
    ("Santander", "Cantabria", "39"),
    ("Pamplona", "Navarra", "31"),
    ("Salamanca", "Salamanca", "37"),
    ("Toledo", "Toledo", "45"),
    ("Cádiz", "Cádiz", "11"),
    ("Girona", "Girona", "17"),
    ("Logroño", "La Rioja", "26"),
)
STREET_KINDS = ("Calle", "Avenida", "Plaza", "Paseo", "Camino", "Ronda")
STREET_NAMES = (
    "Mayor",
    "de Alcalá",
    "Gran Vía",
    "del Sol",
    "de la Constitución",
    "Real",
    "Nueva",
    "de Cervantes",
    "del Carmen",
    "de la Paz",
    "San Vicente",
    "de Goya",
    "Castellana",
    "de Colón",
    "del Mar",
    "de Valencia",
    "de los Olivos",
    "de la Estación",
    "Diagonal",
    "Santa Ana",
    "del Prado",
    "de Toledo",
    "San Juan",
    "de la Libertad",
)

COMPANY_WORDS_ES = (
    "Soluciones",
    "Servicios",
    "Construcciones",
    "Distribuciones",
    "Inversiones",
    "Consultores",
    "Logística",
    "Alimentación",
    "Transportes",
    "Ingeniería",
    "Talleres",
    "Comercial",
    "Energía",
    "Tecnología",
    "Hostelería",
    "Inmobiliaria",
)
COMPANY_WORDS_EN = (
    "Solutions",
    "Consulting",
    "Logistics",
    "Trading",
    "Holdings",
    "Technologies",
    "Partners",
    "Foods",
    "Energy",
    "Systems",
    "Media",
    "Industries",
)
COMPANY_SUFFIXES_ES = ("S.L.", "S.A.", "S.L.U.", "S.Coop.")
COMPANY_SUFFIXES_EN = ("Ltd", "Inc.", "LLC", "Group")
CIF_LETTERS = "ABB"  # sociedades anónimas and limitadas, the usual ones

# code, name, category, monthly price, conditions
PRODUCTS = (
    (
        "ACC-NOM",
        "Cuenta Nómina",
        "Cuentas",
        Decimal("0.00"),
        {"interest_rate": 0.0, "maintenance_fee": 0, "requires_payroll": True},
    ),
    (
        "ACC-ONL",
        "Cuenta Online",
        "Cuentas",
        Decimal("0.00"),
        {"interest_rate": 0.5, "maintenance_fee": 0},
    ),
    (
        "CARD-CR",
        "Tarjeta de crédito Oro",
        "Tarjetas",
        Decimal("3.00"),
        {"credit_limit": 3000, "apr": 19.9, "cashback": 0.5},
    ),
    ("CARD-DB", "Tarjeta de débito", "Tarjetas", Decimal("0.00"), {"daily_limit": 600}),
    (
        "MORT-FIX",
        "Hipoteca fija",
        "Préstamos",
        Decimal("650.00"),
        {"principal": 180000, "rate": 2.95, "term_years": 25, "type": "fixed"},
    ),
    (
        "MORT-VAR",
        "Hipoteca variable",
        "Préstamos",
        Decimal("590.00"),
        {"principal": 160000, "spread": 0.79, "index": "EURIBOR", "term_years": 30},
    ),
    (
        "LOAN-PER",
        "Préstamo personal",
        "Préstamos",
        Decimal("210.00"),
        {"principal": 12000, "rate": 6.5, "term_months": 60},
    ),
    (
        "MOB-25",
        "Tarifa móvil 25 GB",
        "Telefonía",
        Decimal("15.90"),
        {"data_gb": 25, "minutes": "unlimited", "permanence_months": 12},
    ),
    (
        "MOB-UNL",
        "Tarifa móvil ilimitada",
        "Telefonía",
        Decimal("29.90"),
        {"data_gb": "unlimited", "minutes": "unlimited", "roaming": "EU"},
    ),
    (
        "FIB-600",
        "Fibra 600 Mb",
        "Telefonía",
        Decimal("30.00"),
        {"speed_mbps": 600, "router": "wifi6", "permanence_months": 12},
    ),
    (
        "FIB-1G",
        "Fibra 1 Gb + TV",
        "Telefonía",
        Decimal("55.00"),
        {"speed_mbps": 1000, "tv_channels": 80},
    ),
    (
        "INS-HOME",
        "Seguro de hogar",
        "Seguros",
        Decimal("18.50"),
        {"coverage": 150000, "excess": 150, "content_cover": 30000},
    ),
    (
        "INS-CAR",
        "Seguro de coche todo riesgo",
        "Seguros",
        Decimal("42.00"),
        {"excess": 300, "roadside_assistance": True},
    ),
    ("INS-LIFE", "Seguro de vida", "Seguros", Decimal("12.00"), {"capital": 100000}),
    (
        "INS-HEALTH",
        "Seguro de salud",
        "Seguros",
        Decimal("48.00"),
        {"copayment": False, "dental": True},
    ),
    (
        "FUND-IDX",
        "Fondo indexado global",
        "Inversión",
        Decimal("0.00"),
        {"ter": 0.22, "risk": 5, "isin": "ES0000000001"},
    ),
)

INTERACTION_SUBJECTS = {
    "phone": (
        "Consulta sobre recibo",
        "Llamada de seguimiento",
        "Billing question",
        "Solicita información de hipoteca",
        "Follow-up call",
        "Cambio de tarifa",
    ),
    "email": (
        "Envío de documentación",
        "Contract renewal",
        "Respuesta a su consulta",
        "Your monthly statement",
        "Oferta personalizada",
    ),
    "web": (
        "Simulación de hipoteca en la web",
        "Visited pricing page",
        "Descarga de extracto",
        "Online form submitted",
    ),
    "in_person": (
        "Visita a la oficina",
        "Branch visit",
        "Firma de contrato",
        "Reunión con el gestor",
    ),
    "chat": ("Chat: incidencia con la tarjeta", "Chat: password reset", "Chat: consulta"),
    "sms": ("SMS: recordatorio de pago", "SMS: código de verificación", "Payment reminder"),
    "portal": ("Actualiza sus datos en el portal", "Downloaded invoice"),
    "note": ("Nota interna", "Internal note: VIP customer", "Cliente pide no ser llamado"),
}
INTERACTION_CHANNELS = tuple(INTERACTION_SUBJECTS)
# Roughly how often each channel is used.
INTERACTION_WEIGHTS = (30, 20, 20, 8, 8, 6, 4, 4)
INTERACTION_CUM_WEIGHTS = tuple(sum(INTERACTION_WEIGHTS[: i + 1]) for i in range(8))
OUTCOMES = ("", "", "resolved", "callback", "interested", "not interested", "sale")
