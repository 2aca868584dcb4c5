"""The demo's knowledge base: a help centre in Spanish and English about the products
and services of the demo company (fibre, mobile lines, routers and devices sold on
line): billing, delivery and installation, returns, warranty and faults, the
customer's account; plus a few internal procedures for the agents. Written through the
services, so versions, the full-text index and events are the real ones."""

from django.db import transaction

from panorama.service.models import Article
from panorama.service.services.knowledge import (
    article_create,
    article_publish,
    article_update,
    category_save,
)

CATEGORIES = (
    ("billing", "Billing and payments", "Facturación y pagos"),
    ("delivery", "Delivery and installation", "Envíos e instalación"),
    ("returns", "Returns and cancellations", "Devoluciones y bajas"),
    ("warranty", "Warranty and faults", "Garantía y averías"),
    ("account", "Your account", "Tu cuenta"),
)

# (category, visibility, Spanish (title, body), English (title, body) or None)
ARTICLES = (
    (
        "billing",
        "public",
        (
            "Cómo descargar tu factura",
            "Todas tus facturas están en el **Área de clientes**, en *Facturas*.\n\n"
            "1. Entra con tu DNI o NIE y tu contraseña.\n"
            "2. Abre *Facturas* y elige el mes.\n"
            "3. Pulsa **Descargar PDF**.\n\n"
            "La factura se emite el día 1 de cada mes y se cobra por domiciliación "
            "bancaria hacia el día 5. Si no la ves, revisa que el periodo ya esté cerrado.",
        ),
        (
            "How to download your invoice",
            "All your invoices are in the **Customer area**, under *Invoices*.\n\n"
            "1. Sign in with your ID number and password.\n"
            "2. Open *Invoices* and pick the month.\n"
            "3. Click **Download PDF**.\n\n"
            "Invoices are issued on the 1st of each month and collected by direct debit "
            "around the 5th. If you cannot see it yet, the period may still be open.",
        ),
    ),
    (
        "billing",
        "public",
        (
            "Me han cobrado dos veces la factura",
            "Si ves **dos cargos** del mismo importe, no devuelvas el recibo en tu banco: "
            "genera un impago y puede suspender el servicio.\n\n"
            "Escríbenos desde *Área de clientes → Ayuda* con la fecha de los dos cargos. "
            "Reembolsamos el cobro duplicado en un máximo de **5 días laborables** en la "
            "misma cuenta.",
        ),
        (
            "I was charged twice for my invoice",
            "If you see **two charges** for the same amount, do not return the direct "
            "debit at your bank: it creates an unpaid bill and may suspend the service.\n\n"
            "Write to us from *Customer area → Help* with the dates of both charges. We "
            "refund the duplicate charge within **5 working days** to the same account.",
        ),
    ),
    (
        "billing",
        "public",
        (
            "Cambiar la cuenta bancaria de domiciliación",
            "Puedes cambiar el IBAN en *Área de clientes → Mis datos → Pago*. El cambio "
            "se aplica a la siguiente factura si lo haces antes del día 25.\n\n"
            "El titular de la cuenta debe ser el titular del contrato o autorizarlo.",
        ),
        (
            "Change the bank account for direct debit",
            "Change your IBAN in *Customer area → My details → Payment*. It applies to "
            "the next invoice if done before the 25th.\n\n"
            "The account holder must be the contract holder or authorise the change.",
        ),
    ),
    (
        "delivery",
        "public",
        (
            "Plazos de envío de pedidos",
            "| Destino | Plazo | Coste |\n|---|---|---|\n"
            "| Península | 24-48 horas laborables | Gratis |\n"
            "| Baleares | 3-5 días laborables | 4,95 € |\n"
            "| Canarias, Ceuta y Melilla | 5-7 días laborables | 9,95 € |\n\n"
            "Recibirás un SMS con el número de seguimiento cuando el pedido salga del "
            "almacén.",
        ),
        (
            "Order delivery times",
            "| Destination | Time | Cost |\n|---|---|---|\n"
            "| Mainland Spain | 24-48 working hours | Free |\n"
            "| Balearic Islands | 3-5 working days | €4.95 |\n"
            "| Canary Islands, Ceuta and Melilla | 5-7 working days | €9.95 |\n\n"
            "You will get a text message with the tracking number when the order ships.",
        ),
    ),
    (
        "delivery",
        "public",
        (
            "Instalación de la fibra: qué esperar",
            "El técnico te llama el día antes para confirmar la franja. La instalación "
            "dura unas **2 horas** e incluye el router y un punto de fibra.\n\n"
            "Hace falta que haya una persona mayor de edad en casa y acceso a la caja de "
            "registro de la comunidad.",
        ),
        (
            "Fibre installation: what to expect",
            "The technician calls the day before to confirm the time slot. Installation "
            "takes about **2 hours** and includes the router and one fibre socket.\n\n"
            "An adult must be at home, with access to the building's junction box.",
        ),
    ),
    (
        "returns",
        "public",
        (
            "Cómo devolver un producto",
            "Tienes **30 días naturales** desde la entrega para devolver un producto "
            "comprado en la tienda en línea, sin dar explicaciones.\n\n"
            "- Solicita la devolución en *Mis pedidos*.\n"
            "- Te enviamos una etiqueta de envío gratuita.\n"
            "- El reembolso llega en 14 días desde que recibimos el producto.\n\n"
            "El producto debe estar completo, con sus accesorios.",
        ),
        (
            "How to return a product",
            "You have **30 calendar days** from delivery to return a product bought in "
            "the online shop, no questions asked.\n\n"
            "- Request the return in *My orders*.\n"
            "- We send you a free shipping label.\n"
            "- The refund arrives within 14 days of receiving the product.\n\n"
            "The product must be complete, with its accessories.",
        ),
    ),
    (
        "returns",
        "public",
        (
            "Dar de baja una línea",
            "Puedes dar de baja una línea en cualquier momento llamando al 1004 o desde "
            "*Área de clientes → Productos*. Si tienes permanencia, la penalización se "
            "calcula en proporción a los meses que faltan.\n\n"
            "Devuelve el router en los 30 días siguientes para evitar el cargo del equipo.",
        ),
        None,
    ),
    (
        "warranty",
        "public",
        (
            "Garantía de los dispositivos",
            "Los dispositivos nuevos tienen **3 años de garantía** (2 años para los "
            "reacondicionados) frente a defectos de fabricación.\n\n"
            "La garantía no cubre golpes, líquidos ni manipulaciones. Para usarla, abre "
            "una incidencia con el número de serie y la factura de compra.",
        ),
        (
            "Device warranty",
            "New devices have a **3-year warranty** (2 years for refurbished ones) "
            "against manufacturing defects.\n\n"
            "It does not cover drops, liquids or tampering. To use it, open a case with "
            "the serial number and the purchase invoice.",
        ),
    ),
    (
        "warranty",
        "public",
        (
            "El router no enciende o se reinicia solo",
            "1. Comprueba que el cable de alimentación está bien conectado y que el "
            "enchufe funciona.\n"
            "2. Apaga el router 30 segundos y vuelve a encenderlo.\n"
            "3. Si la luz *Power* parpadea en rojo, el router está averiado: pide un "
            "cambio desde *Ayuda* (gratis en garantía).\n\n"
            "Si se reinicia solo por la noche, puede ser una actualización programada.",
        ),
        (
            "The router does not power on or restarts by itself",
            "1. Check the power cable is firmly connected and the socket works.\n"
            "2. Switch the router off for 30 seconds and on again.\n"
            "3. If the *Power* light blinks red, the router is faulty: ask for a "
            "replacement from *Help* (free under warranty).\n\n"
            "If it restarts at night, it may be a scheduled update.",
        ),
    ),
    (
        "warranty",
        "public",
        (
            "Internet va lento por la noche",
            "Entre las 21 h y las 23 h hay más uso en la red. Antes de abrir una "
            "incidencia:\n\n"
            "- Haz un test de velocidad **con cable**, no por wifi.\n"
            "- Usa la banda de 5 GHz del wifi si tu dispositivo la admite.\n"
            "- Reinicia el router.\n\n"
            "Si por cable no llegas al 80 % de la velocidad contratada, abre una "
            "incidencia con el resultado del test.",
        ),
        (
            "Internet is slow in the evening",
            "Between 9 and 11 pm the network is busier. Before opening a case:\n\n"
            "- Run a speed test **over a cable**, not over wifi.\n"
            "- Use the 5 GHz wifi band if your device supports it.\n"
            "- Restart the router.\n\n"
            "If over a cable you get less than 80% of your contracted speed, open a case "
            "with the test result.",
        ),
    ),
    (
        "account",
        "public",
        (
            "Recuperar la contraseña del Área de clientes",
            "Pulsa *¿Has olvidado tu contraseña?* en la página de acceso e introduce tu "
            "DNI o NIE. Te enviamos un enlace al e-mail y un código por SMS al móvil de "
            "contacto. El enlace caduca en 1 hora.",
        ),
        (
            "Recover your Customer area password",
            "Click *Forgot your password?* on the sign-in page and enter your ID number. "
            "We send a link to your e-mail and a code by text to your contact mobile. "
            "The link expires in 1 hour.",
        ),
    ),
    (
        "account",
        "internal",
        (
            "Procedimiento: cambio de titular",
            "**Solo agentes.** Para cambiar el titular de un contrato:\n\n"
            "1. Verifica la identidad de ambos titulares (DNI/NIE, dos datos del contrato).\n"
            "2. Pide el documento de cesión firmado por los dos.\n"
            "3. Abre un caso de tipo *Solicitud* en la cola *Facturación* con el documento "
            "adjunto.\n\n"
            "No cambies el IBAN en la misma gestión: lo hace el nuevo titular.",
        ),
        None,
    ),
    (
        "billing",
        "internal",
        (
            "Procedimiento: reembolso de cobros duplicados",
            "**Solo agentes.** Comprueba los dos cargos en el extracto que envía el "
            "cliente. Si el duplicado es nuestro, registra el reembolso en el ERP "
            "(menú *Cobros → Devoluciones*) y añade una nota interna al caso con el "
            "número de operación. Importes de más de 300 € necesitan visto bueno del "
            "supervisor.",
        ),
        (
            "Procedure: refunding duplicate charges",
            "**Agents only.** Check both charges on the statement the customer sends. If "
            "the duplicate is ours, record the refund in the ERP (*Collections → "
            "Refunds*) and add an internal note to the case with the transaction number. "
            "Amounts over €300 need a supervisor's approval.",
        ),
    ),
)


@transaction.atomic
def knowledge_demo_ensure() -> int:
    """The demo's categories and articles, once (nothing if articles exist). Answers
    how many articles it wrote."""
    if Article.objects.exists():
        return 0
    shelves = {
        slug: category_save(by=None, slug=slug, name_en=en, name_es=es, position=n)
        for n, (slug, en, es) in enumerate(CATEGORIES)
    }
    made = 0
    for shelf, visibility, spanish, english in ARTICLES:
        es = article_create(
            by=None,
            title=spanish[0],
            body=spanish[1],
            language="es",
            visibility=visibility,
            category_id=shelves[shelf].pk,
        )
        article_publish(by=None, article_id=es.pk)
        made += 1
        if english is not None:
            en = article_create(
                by=None,
                title=english[0],
                body=english[1],
                language="en",
                visibility=visibility,
                category_id=shelves[shelf].pk,
                translation_of=es.pk,
            )
            article_publish(by=None, article_id=en.pk)
            made += 1
    # One article with a history, to show versions and their restore.
    first = Article.objects.select_related("current_version").get(slug="plazos-de-envio-de-pedidos")
    body = first.current_version.body if first.current_version else ""
    article_update(
        by=None,
        article_id=first.pk,
        body=body + "\n\nLos pedidos hechos antes de las 14 h salen el mismo día.",
        note="Hora de corte del almacén",
    )
    # A draft in progress.
    article_create(
        by=None,
        title="Portabilidad de un número móvil",
        body="Borrador: pasos para traer tu número desde otra compañía.",
        language="es",
        visibility="public",
        category_id=shelves["account"].pk,
    )
    return made + 1
