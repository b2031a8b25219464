"""Demo content for load_demo: German articles (the source) and English translations of some of them."""

TOPICS = [
    {"slug": "crm-auswahl", "de": "CRM-Auswahl", "en": "Choosing a CRM"},
    {"slug": "mittelstand", "de": "Mittelstand", "en": "Small and mid-sized businesses"},
    {"slug": "datenschutz", "de": "Datenschutz", "en": "Data protection"},
    {"slug": "vertrieb", "de": "Vertrieb", "en": "Sales"},
    {"slug": "kundenservice", "de": "Kundenservice", "en": "Customer service"},
    {"slug": "integration", "de": "Integration", "en": "Integration"},
]

AUTHORS = [
    {
        "key": "lena",
        "name": "Lena Hoffmann",
        "role_de": "Redakteurin für CRM-Software",
        "role_en": "Editor for CRM software",
    },
    {
        "key": "jonas",
        "name": "Jonas Brandt",
        "role_de": "Redakteur für Vertrieb und Kundenservice",
        "role_en": "Editor for sales and customer service",
    },
    {
        "key": "aylin",
        "name": "Aylin Demir",
        "role_de": "Fachautorin für Datenschutz und IT-Organisation",
        "role_en": "Contributing writer on data protection and IT organisation",
    },
]

INDEX = {
    "slug": "magazin",
    "de": {
        "title": "Magazin",
        "intro": "<p>Praxiswissen rund um CRM-Software: Auswahl, Einführung, Datenschutz, Vertrieb und Kundenservice. "
        "Unsere Redaktion schreibt für Unternehmen, die ihre Kundenbeziehungen besser organisieren möchten.</p>",
    },
    "en": {
        "title": "Magazine",
        "intro": "<p>Practical know-how about CRM software: selection, rollout, data protection, sales and customer service. "
        "Our editorial team writes for companies that want to organise their customer relationships better.</p>",
    },
}

HOME = {
    "de": {
        "title": "CRM-Vergleich",
        "intro": "Unabhängige Orientierung für alle, die ein passendes CRM-System suchen. "
        "Wir erklären Funktionen, Kosten und Stolperfallen verständlich und ohne Verkaufsabsicht.",
        "body": [
            ("heading", "Was Sie bei uns finden"),
            (
                "paragraph",
                "<p>Unser Magazin begleitet Sie von der ersten Idee bis zum laufenden Betrieb. Wir schreiben für "
                "Geschäftsführung, Vertrieb und Kundenservice in kleinen und mittleren Unternehmen.</p>"
                "<ul><li>Praxisnahe Leitfäden zur Auswahl und Einführung eines CRM</li>"
                "<li>Verständliche Erklärungen zu Datenschutz und DSGVO</li>"
                "<li>Hintergründe zu Vertrieb, Kundenservice und künstlicher Intelligenz</li></ul>",
            ),
            ("heading", "Unabhängig und nachvollziehbar"),
            (
                "paragraph",
                "<p>Wir erhalten keine Provisionen von Softwareanbietern. Unsere Beiträge beruhen auf Gesprächen "
                "mit Anwenderinnen und Anwendern und auf eigener Recherche.</p>",
            ),
        ],
    },
    "en": {
        "title": "CRM comparison",
        "intro": "Independent guidance for everyone looking for the right CRM system. "
        "We explain features, costs and pitfalls clearly and without a sales agenda.",
        "body": [
            ("heading", "What you will find here"),
            (
                "paragraph",
                "<p>Our magazine accompanies you from the first idea to day-to-day operation. We write for "
                "management, sales and customer service teams in small and mid-sized companies.</p>"
                "<ul><li>Practical guides to choosing and introducing a CRM</li>"
                "<li>Clear explanations of data protection and the GDPR</li>"
                "<li>Background on sales, customer service and artificial intelligence</li></ul>",
            ),
            ("heading", "Independent and transparent"),
            (
                "paragraph",
                "<p>We receive no commissions from software vendors. Our articles are based on conversations "
                "with users and on our own research.</p>",
            ),
        ],
    },
}

ARTICLES = [
    # 1 ---------------------------------------------------------------------
    {
        "slug": "crm-auswahl-in-fuenf-schritten",
        "date": "2026-10-02",
        "author": "lena",
        "topics": ["crm-auswahl", "mittelstand"],
        "related": ["crm-einfuehrung-im-mittelstand", "crm-integration-e-mail-erp-buchhaltung"],
        "hero": {"hue": 210, "motif": "bars"},
        "de": {
            "title": "CRM-Auswahl in fünf Schritten: So finden Sie das passende System",
            "teaser": "Hunderte Anbieter, unzählige Funktionen: Wer ein CRM sucht, verliert schnell den Überblick. "
            "Mit fünf klaren Schritten kommen Sie von der ersten Idee zu einer belastbaren Entscheidung.",
            "lead_quote": "Die beste Software ist nicht die mit den meisten Funktionen, sondern die, "
            "die Ihr Team am Montagmorgen tatsächlich öffnet.",
            "lead_quote_attribution": "Thomas Berger, Vertriebsleiter eines Großhandels für Haustechnik",
            "hero_alt": "Abstrakte Grafik aus blauen Balken, die von links nach rechts ansteigen",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Wer heute ein CRM-System sucht, steht vor einem unübersichtlichen Markt. Es gibt schlanke "
                    "Lösungen für Selbstständige, umfangreiche Plattformen für Konzerne und unzählige Angebote "
                    "dazwischen. Fast alle versprechen mehr Umsatz, zufriedenere Kunden und weniger "
                    "Verwaltungsaufwand. Welche Software zu Ihrem Unternehmen passt, verraten die Werbeseiten der "
                    "Anbieter allerdings selten.</p>"
                    "<p>Die gute Nachricht: Eine fundierte Entscheidung braucht weder ein teures Beratungsprojekt "
                    "noch monatelange Recherche. Entscheidend ist eine klare Reihenfolge. Die folgenden fünf "
                    "Schritte haben sich in vielen kleinen und mittleren Unternehmen bewährt.</p>",
                ),
                (
                    "heading",
                    {"text": "Schritt 1: Ziele klären, bevor Sie Anbieter vergleichen", "level": "h2"},
                ),
                (
                    "paragraph",
                    "<p>Am Anfang steht nicht die Software, sondern die Frage, was sich in Ihrem Unternehmen "
                    "verbessern soll. Gehen Angebote verloren, weil niemand nachfasst? Sucht der Kundenservice bei "
                    "jeder Anfrage in drei verschiedenen Postfächern? Oder fehlt der Geschäftsführung schlicht der "
                    "Überblick, welche Aufträge in den nächsten Monaten zu erwarten sind? Formulieren Sie zwei oder "
                    "drei konkrete Ziele, zum Beispiel:</p>"
                    "<ul><li>Jede Kundenanfrage wird innerhalb eines Arbeitstags beantwortet.</li>"
                    "<li>Der Vertrieb sieht auf einen Blick, welche Angebote offen sind und wann nachgefasst werden "
                    "muss.</li>"
                    "<li>Kundendaten werden nur noch an einer Stelle gepflegt statt in mehreren Tabellen.</li></ul>",
                ),
                ("heading", {"text": "Schritt 2: Anforderungen aufschreiben und gewichten", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Aus den Zielen leiten Sie die Anforderungen ab. Sprechen Sie dafür mit den Menschen, die "
                    "später täglich mit dem System arbeiten: Vertrieb, Innendienst, Service und Buchhaltung. Sie "
                    "wissen am besten, wo heute Zeit verloren geht und welche Informationen fehlen. Halten Sie die "
                    "Ergebnisse in einer einfachen Liste fest und unterscheiden Sie dabei zwischen "
                    "<b>Muss-Kriterien</b> und <b>Wunsch-Kriterien</b>.</p>"
                    "<p>Typische Muss-Kriterien sind etwa die Anbindung an Ihr E-Mail-Programm, eine brauchbare "
                    "mobile Nutzung für den Außendienst oder ein Rechenzentrum in der Europäischen Union. "
                    "Wunsch-Kriterien können ausgefeilte Berichte oder automatisierte Marketingkampagnen sein. Die "
                    "Gewichtung hilft Ihnen später, Angebote nüchtern zu vergleichen, statt sich von einzelnen "
                    "Funktionen blenden zu lassen.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Wir haben anfangs über Funktionen diskutiert. Erst als wir unsere Abläufe "
                        "aufgezeichnet hatten, wussten wir, was wir wirklich brauchen.",
                        "attribution": "Sabine Krüger, Geschäftsführerin eines Ingenieurbüros",
                    },
                ),
                ("heading", {"text": "Schritt 3: Die Vorauswahl eingrenzen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Mit Ihrer Anforderungsliste können Sie den Markt zügig sortieren. Drei bis fünf Kandidaten "
                    "reichen für einen ernsthaften Vergleich völlig aus. Mehr Anbieter bedeuten vor allem mehr "
                    "Termine, aber selten eine bessere Entscheidung. Achten Sie bei der Vorauswahl besonders auf "
                    "diese Punkte:</p>"
                    "<ol><li>Passt das System zur Größe Ihres Unternehmens, oder zahlen Sie für Funktionen, die Sie "
                    "nie nutzen werden?</li>"
                    "<li>Gibt es eine deutschsprachige Oberfläche und einen Support, der in Ihrer Zeitzone "
                    "erreichbar ist?</li>"
                    "<li>Wo werden die Daten gespeichert, und bietet der Anbieter einen Vertrag zur "
                    "Auftragsverarbeitung an?</li>"
                    "<li>Lassen sich Ihre vorhandenen Programme anbinden, etwa E-Mail, Kalender oder "
                    "Warenwirtschaft?</li></ol>",
                ),
                ("read_also", {"slug": "crm-integration-e-mail-erp-buchhaltung", "label": ""}),
                ("heading", {"text": "Schritt 4: Mit echten Fällen testen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Fast jeder Anbieter stellt eine kostenlose Testphase zur Verfügung. Nutzen Sie diese Zeit "
                    "nicht für ziellose Klickrunden, sondern spielen Sie drei oder vier typische Situationen aus "
                    "Ihrem Alltag durch: eine neue Anfrage erfassen, ein Angebot nachverfolgen, eine Reklamation "
                    "bearbeiten. Beteiligen Sie dabei unbedingt Kolleginnen und Kollegen, die nicht zu den "
                    "Technikbegeisterten gehören. Wenn sie ohne lange Erklärung zurechtkommen, ist das ein sehr "
                    "gutes Zeichen.</p>"
                    "<p>Importieren Sie außerdem einen kleinen Ausschnitt Ihrer echten Kundendaten, sofern der "
                    "Datenschutz das erlaubt, oder arbeiten Sie mit anonymisierten Beispielen. So merken Sie früh, "
                    "ob Felder fehlen, ob Umlaute korrekt übernommen werden und wie viel Aufwand die spätere "
                    "Datenübernahme bedeuten wird.</p>",
                ),
                ("heading", {"text": "Schritt 5: Gesamtkosten und Vertrag prüfen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Der Preis pro Nutzer und Monat ist nur ein Teil der Rechnung. Hinzu kommen Kosten für die "
                    "Einrichtung, für Schulungen, für Schnittstellen und oft auch für Zusatzmodule, die erst im "
                    "laufenden Betrieb auffallen. Rechnen Sie deshalb die Gesamtkosten über mindestens drei Jahre "
                    "und vergleichen Sie die Angebote auf dieser Grundlage.</p>"
                    "<p>Prüfen Sie im Vertrag außerdem die Laufzeit, die Kündigungsfristen und vor allem die Frage, "
                    "wie Sie Ihre Daten bei einem Wechsel wieder herausbekommen. Ein Export in einem gängigen, "
                    "offenen Format sollte selbstverständlich sein. Wer diese fünf Schritte sorgfältig durchläuft, "
                    "trifft vielleicht keine perfekte, aber eine gut begründete Entscheidung, und genau darauf "
                    "kommt es an.</p>",
                ),
                ("read_also", {"slug": "crm-einfuehrung-im-mittelstand", "label": "Passend dazu"}),
            ],
        },
        "en": {
            "title": "Choosing a CRM in five steps: how to find the right system",
            "teaser": "Hundreds of vendors, countless features: anyone looking for a CRM can quickly lose track. "
            "Five clear steps take you from the first idea to a well-founded decision.",
            "lead_quote": "The best software isn’t the one with the most features, it’s the one "
            "your team actually opens on Monday morning.",
            "lead_quote_attribution": "Thomas Berger, head of sales at a building services wholesaler",
            "hero_alt": "Abstract graphic of blue bars rising from left to right",
            "hero_caption": "Illustration: editorial team",
            "body": [
                (
                    "paragraph",
                    "<p>Anyone looking for a CRM system today faces a confusing market. There are lean tools for "
                    "freelancers, extensive platforms for large corporations and countless offerings in between. "
                    "Almost all of them promise more revenue, happier customers and less admin. What their "
                    "marketing pages rarely reveal is which software actually suits your business.</p>"
                    "<p>The good news: a sound decision requires neither an expensive consulting project nor months "
                    "of research. What matters is doing things in the right order. The following five steps have "
                    "proven their worth in many small and mid-sized companies.</p>",
                ),
                ("heading", {"text": "Step 1: Define your goals before comparing vendors", "level": "h2"}),
                (
                    "paragraph",
                    "<p>The starting point isn’t the software but the question of what should improve in your "
                    "company. Are quotes slipping away because nobody follows up? Does customer service have to "
                    "search three different inboxes for every enquiry? Or does management simply lack an overview "
                    "of which orders to expect in the coming months? Set out two or three concrete goals, for "
                    "example:</p>"
                    "<ul><li>Every customer enquiry is answered within one working day.</li>"
                    "<li>Sales can see at a glance which quotes are open and when to follow up.</li>"
                    "<li>Customer data is maintained in one place instead of in several spreadsheets.</li></ul>",
                ),
                ("heading", {"text": "Step 2: Write down and weight your requirements", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Derive your requirements from these goals. Talk to the people who will work with the system "
                    "every day: sales, back office, service and accounting. They know best where time is lost today "
                    "and which information is missing. Record the results in a simple list and distinguish between "
                    "<b>must-haves</b> and <b>nice-to-haves</b>.</p>"
                    "<p>Typical must-haves include integration with your e-mail program, usable mobile access for "
                    "field sales or a data centre in the European Union. Nice-to-haves might be sophisticated "
                    "reports or automated marketing campaigns. The weighting will later help you compare offers "
                    "objectively instead of being dazzled by individual features.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "At first we argued about features. Only once we had mapped out our processes did "
                        "we know what we really needed.",
                        "attribution": "Sabine Krüger, managing director of an engineering consultancy",
                    },
                ),
                ("heading", {"text": "Step 3: Narrow down your shortlist", "level": "h2"}),
                (
                    "paragraph",
                    "<p>With your list of requirements, you can sort the market quickly. Three to five candidates "
                    "are plenty for a serious comparison. More vendors mainly mean more meetings, but rarely a "
                    "better decision. When drawing up your shortlist, pay particular attention to these points:</p>"
                    "<ol><li>Does the system match the size of your company, or are you paying for features you "
                    "will never use?</li>"
                    "<li>Is the interface available in your team’s language, and is support reachable in your "
                    "time zone?</li>"
                    "<li>Where is the data stored, and does the vendor offer a data processing agreement?</li>"
                    "<li>Can your existing programs be connected, such as e-mail, calendar or inventory "
                    "management?</li></ol>",
                ),
                ("read_also", {"slug": "crm-integration-e-mail-erp-buchhaltung", "label": ""}),
                ("heading", {"text": "Step 4: Test with real cases", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Almost every vendor offers a free trial. Don’t spend that time clicking around aimlessly; "
                    "instead, play through three or four typical situations from your daily work: logging a new "
                    "enquiry, following up on a quote, handling a complaint. Be sure to involve colleagues who "
                    "aren’t tech enthusiasts. If they find their way around without lengthy explanations, that is "
                    "a very good sign.</p>"
                    "<p>Also import a small sample of your real customer data, provided data protection rules allow "
                    "it, or work with anonymised examples. That way you will notice early on whether fields are "
                    "missing, whether special characters such as umlauts come through correctly and how much effort "
                    "the later data migration will involve.</p>",
                ),
                ("heading", {"text": "Step 5: Check the total cost and the contract", "level": "h2"}),
                (
                    "paragraph",
                    "<p>The price per user per month is only part of the equation. On top of that come costs for "
                    "setup, training and interfaces, and often for add-on modules that only become apparent once the "
                    "system is in use. So calculate the total cost over at least three years and compare the offers "
                    "on that basis.</p>"
                    "<p>In the contract, also check the term, the notice periods and, above all, how you get your "
                    "data back if you switch. An export in a common, open format should be a given. If you work "
                    "through these five steps carefully, your decision may not be perfect, but it will be well "
                    "founded, and that is what counts.</p>",
                ),
                ("read_also", {"slug": "crm-einfuehrung-im-mittelstand", "label": "Related reading"}),
            ],
        },
    },
    # 2 ---------------------------------------------------------------------
    {
        "slug": "crm-einfuehrung-im-mittelstand",
        "date": "2026-09-15",
        "author": "jonas",
        "topics": ["mittelstand", "crm-auswahl"],
        "related": ["crm-auswahl-in-fuenf-schritten", "datenqualitaet-im-crm", "dsgvo-im-crm-alltag"],
        "hero": {"hue": 150, "motif": "nodes"},
        "de": {
            "title": "CRM-Einführung im Mittelstand: So kommt das neue System im Alltag an",
            "teaser": "Die Software ist gekauft, doch über den Erfolg entscheidet, was danach passiert. Wie kleine und "
            "mittlere Unternehmen ihr neues CRM so einführen, dass das Team es gern und dauerhaft nutzt.",
            "lead_quote": "",
            "lead_quote_attribution": "",
            "hero_alt": "Abstrakte Grafik aus grünen Punkten, die durch feine Linien zu einem Netz verbunden sind",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Viele CRM-Projekte scheitern nicht an der Technik, sondern am Alltag. Die Software ist "
                    "eingerichtet, die Zugänge sind verteilt, und trotzdem landen Kundennotizen nach einigen Wochen "
                    "wieder im Notizbuch oder in der privaten Tabelle. Das liegt selten an mangelndem Willen. Meist "
                    "wurde die Einführung als IT-Projekt behandelt, obwohl sie in Wahrheit die Arbeitsweise "
                    "mehrerer Abteilungen verändert.</p>"
                    "<p>Gerade im Mittelstand, wo es keine eigene Projektabteilung gibt und alle Beteiligten "
                    "nebenher ihr Tagesgeschäft erledigen, lohnt sich ein durchdachtes Vorgehen. Die folgenden "
                    "Empfehlungen stammen aus Gesprächen mit Unternehmen, die diesen Schritt bereits hinter sich "
                    "haben.</p>",
                ),
                ("heading", {"text": "Eine Person trägt die Verantwortung", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Benennen Sie eine Person, die das Projekt steuert und im ganzen Haus als Ansprechpartnerin "
                    "bekannt ist. Sie muss keine IT-Expertin sein. Wichtiger sind Organisationstalent, Rückhalt in "
                    "der Geschäftsführung und ausreichend Zeit. Ein realistischer Richtwert für ein Unternehmen mit "
                    "30 bis 80 Beschäftigten sind einige Stunden pro Woche während der ersten drei Monate.</p>"
                    "<p>Ebenso wichtig ist die sichtbare Unterstützung der Geschäftsleitung. Wenn die Chefin in "
                    "Besprechungen selbst die Zahlen aus dem CRM aufruft, statt nach der alten Liste zu fragen, "
                    "versteht jeder im Team, dass das neue System ernst gemeint ist.</p>",
                ),
                ("heading", {"text": "Klein anfangen, dann erweitern", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Die Versuchung ist groß, gleich alle Funktionen auf einmal einzuführen. Erfolgreicher ist "
                    "fast immer ein schrittweises Vorgehen. Starten Sie mit einem klar umrissenen Bereich und "
                    "erweitern Sie das System erst, wenn die Grundlagen sitzen. Eine bewährte Reihenfolge sieht so "
                    "aus:</p>"
                    "<ul><li>Zuerst Kontakte, Firmen und die Historie der Kommunikation zentral erfassen.</li>"
                    "<li>Danach Angebote und Verkaufschancen in einer gemeinsamen Vertriebspipeline abbilden.</li>"
                    "<li>Erst dann Serviceanfragen, Automatisierungen und Auswertungen ergänzen.</li></ul>",
                ),
                ("heading", {"text": "Datenübernahme: lieber gründlich als schnell", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Bevor alte Daten ins neue System wandern, sollten sie bereinigt werden. Doppelte Einträge, "
                    "veraltete Ansprechpartner und Firmen, mit denen seit Jahren kein Kontakt mehr besteht, "
                    "erschweren die Arbeit von Anfang an. Planen Sie für die Bereinigung bewusst Zeit ein und "
                    "verteilen Sie die Aufgabe auf die Menschen, die die Kunden tatsächlich kennen.</p>"
                    "<p>Klären Sie bei dieser Gelegenheit auch, welche Daten Sie überhaupt übernehmen dürfen und wie "
                    "lange sie gespeichert bleiben sollen. Ein Neuanfang ist der ideale Moment, um Altlasten "
                    "loszuwerden.</p>",
                ),
                ("read_also", {"slug": "dsgvo-im-crm-alltag", "label": ""}),
                ("heading", {"text": "Schulungen: kurz, praxisnah und wiederholt", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Ein ganztägiger Workshop vor dem Start wirkt gründlich, bleibt aber erfahrungsgemäß kaum im "
                    "Gedächtnis. Besser funktionieren kurze Einheiten von einer Stunde, die sich an konkreten "
                    "Aufgaben orientieren: einen neuen Kontakt anlegen, ein Telefonat dokumentieren, eine "
                    "Wiedervorlage setzen. Ergänzen Sie diese Einheiten in den ersten Wochen durch feste "
                    "Sprechstunden, in denen Fragen ohne Hemmschwelle gestellt werden können. Hilfreich sind "
                    "außerdem sogenannte Key User in jeder Abteilung, die ihren Kolleginnen und Kollegen im Alltag "
                    "weiterhelfen.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Der Durchbruch kam, als unser Außendienst merkte, dass er vor einem Kundentermin "
                        "in zwei Minuten alles Wichtige auf dem Handy hat.",
                        "attribution": "Peter Albrecht, Geschäftsführer eines Metallbaubetriebs mit 45 Beschäftigten",
                    },
                ),
                ("heading", {"text": "Nach dem Start beginnt der Feinschliff", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Planen Sie nach etwa sechs bis acht Wochen eine erste Rückschau ein. Welche Felder werden "
                    "nie ausgefüllt? Wo entstehen Umwege? Welche Berichte vermisst das Team? Nehmen Sie die "
                    "Antworten ernst und passen Sie das System an. Das signalisiert, dass die Einführung kein "
                    "abgeschlossenes Ereignis ist, sondern ein gemeinsamer Lernprozess.</p>"
                    "<p>Messen Sie den Erfolg an den Zielen, die Sie sich zu Beginn gesetzt haben, und nicht an der "
                    "Zahl der angelegten Datensätze. Ein CRM mit wenigen, aber verlässlichen Informationen ist "
                    "wertvoller als eine gut gefüllte Datenbank, der niemand traut.</p>",
                ),
                ("read_also", {"slug": "datenqualitaet-im-crm", "label": ""}),
            ],
        },
        "en": {
            "title": "Introducing a CRM in a mid-sized company: making the new system part of everyday work",
            "teaser": "The software has been bought, but success depends on what happens next. How small and "
            "mid-sized companies can introduce a new CRM so that their team uses it willingly and for the long term.",
            "lead_quote": "",
            "lead_quote_attribution": "",
            "hero_alt": "Abstract graphic of green dots connected by fine lines to form a network",
            "hero_caption": "Illustration: editorial team",
            "body": [
                (
                    "paragraph",
                    "<p>Many CRM projects fail not because of the technology but because of everyday routine. The "
                    "software is set up, logins have been handed out, and yet after a few weeks customer notes end "
                    "up back in notebooks or private spreadsheets. This is rarely down to a lack of goodwill. "
                    "Usually the rollout was treated as an IT project, when in reality it changes the way several "
                    "departments work.</p>"
                    "<p>Especially in mid-sized companies, where there is no dedicated project team and everyone "
                    "involved is also handling their day-to-day business, a well-thought-out approach pays off. The "
                    "following recommendations come from conversations with companies that have already taken this "
                    "step.</p>",
                ),
                ("heading", {"text": "One person takes responsibility", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Appoint one person to steer the project who is known throughout the company as the point of "
                    "contact. She doesn’t need to be an IT expert. Organisational skills, backing from management "
                    "and enough time matter more. A realistic guideline for a company with 30 to 80 employees is a "
                    "few hours a week during the first three months.</p>"
                    "<p>Visible support from senior management is just as important. When the boss pulls up the "
                    "figures from the CRM in meetings instead of asking for the old list, everyone on the team "
                    "understands that the new system is here to stay.</p>",
                ),
                ("heading", {"text": "Start small, then expand", "level": "h2"}),
                (
                    "paragraph",
                    "<p>It is tempting to introduce every feature at once. A step-by-step approach is almost always "
                    "more successful. Start with a clearly defined area and only expand the system once the basics "
                    "are in place. A proven sequence looks like this:</p>"
                    "<ul><li>First, record contacts, companies and the history of communication in one central "
                    "place.</li>"
                    "<li>Next, map quotes and sales opportunities in a shared sales pipeline.</li>"
                    "<li>Only then add service requests, automation and reporting.</li></ul>",
                ),
                ("heading", {"text": "Data migration: better thorough than fast", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Before old data moves into the new system, it should be cleaned up. Duplicate entries, "
                    "outdated contacts and companies you haven’t been in touch with for years make work harder from "
                    "day one. Deliberately set aside time for the clean-up and share the task among the people who "
                    "actually know the customers.</p>"
                    "<p>Use this opportunity to clarify which data you are allowed to transfer in the first place "
                    "and how long it should be kept. A fresh start is the ideal moment to shed old baggage.</p>",
                ),
                ("read_also", {"slug": "dsgvo-im-crm-alltag", "label": ""}),
                ("heading", {"text": "Training: short, practical and repeated", "level": "h2"}),
                (
                    "paragraph",
                    "<p>A full-day workshop before launch seems thorough, but experience shows that little of it "
                    "sticks. Short one-hour sessions built around concrete tasks work better: creating a new "
                    "contact, logging a phone call, setting a follow-up reminder. In the first few weeks, supplement "
                    "these sessions with regular drop-in hours where people can ask questions without hesitation. "
                    "So-called key users in each department, who help their colleagues in everyday work, are also "
                    "a great help.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "The breakthrough came when our field sales team realised that, two minutes before a "
                        "customer meeting, they had everything important on their phones.",
                        "attribution": "Peter Albrecht, managing director of a metalworking firm with 45 employees",
                    },
                ),
                ("heading", {"text": "After launch, the fine-tuning begins", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Schedule a first review after about six to eight weeks. Which fields are never filled in? "
                    "Where are people taking detours? Which reports does the team miss? Take the answers seriously "
                    "and adapt the system. This signals that the rollout isn’t a one-off event but a shared learning "
                    "process.</p>"
                    "<p>Measure success against the goals you set at the start, not by the number of records "
                    "created. A CRM with little but reliable information is worth more than a well-stocked database "
                    "that nobody trusts.</p>",
                ),
                ("read_also", {"slug": "datenqualitaet-im-crm", "label": ""}),
            ],
        },
    },
    # 3 ---------------------------------------------------------------------
    {
        "slug": "dsgvo-im-crm-alltag",
        "date": "2026-08-20",
        "author": "aylin",
        "topics": ["datenschutz"],
        "related": [],
        "hero": {"hue": 260, "motif": "grid"},
        "de": {
            "title": "DSGVO im CRM-Alltag: Was Unternehmen wirklich beachten müssen",
            "teaser": "Ein CRM ist im Kern eine Sammlung personenbezogener Daten. Welche Pflichten sich daraus ergeben "
            "und wie Sie diese ohne Papierberge erfüllen, zeigt unsere Übersicht.",
            "lead_quote": "Datenschutz im CRM ist kein Hindernis für den Vertrieb. Er zwingt uns nur, genau zu "
            "wissen, warum wir welche Daten speichern.",
            "lead_quote_attribution": "Markus Lindner, externer Datenschutzbeauftragter für mittelständische Unternehmen",
            "hero_alt": "Abstrakte Grafik aus einem violetten Raster, in dem einzelne Felder hervorgehoben sind",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Ein CRM-System lebt von Informationen über Menschen: Namen, E-Mail-Adressen, "
                    "Telefonnummern, Gesprächsnotizen, Kaufhistorien. All das sind personenbezogene Daten im Sinne "
                    "der Datenschutz-Grundverordnung, kurz DSGVO. Wer ein CRM betreibt, muss deshalb einige "
                    "Grundregeln beachten, unabhängig davon, ob das Unternehmen fünf oder fünfhundert Beschäftigte "
                    "hat.</p>"
                    "<p>Die gute Nachricht: Für die meisten Betriebe sind diese Regeln gut beherrschbar. Wer die "
                    "wichtigsten Punkte von Anfang an mitdenkt, erspart sich später mühsame Aufräumaktionen und ist "
                    "gut vorbereitet, wenn eine Kundin wissen möchte, was über sie gespeichert ist.</p>",
                ),
                (
                    "heading",
                    {"text": "Rechtsgrundlage: Warum dürfen Sie die Daten speichern?", "level": "h2"},
                ),
                (
                    "paragraph",
                    "<p>Jede Verarbeitung personenbezogener Daten braucht eine Rechtsgrundlage nach Artikel 6 DSGVO. "
                    "Im CRM-Alltag spielen vor allem drei eine Rolle:</p>"
                    "<ul><li><b>Vertrag:</b> Daten, die Sie zur Anbahnung oder Erfüllung eines Vertrags benötigen, "
                    "etwa Lieferadresse und Ansprechpartner eines Kunden.</li>"
                    "<li><b>Berechtigtes Interesse:</b> zum Beispiel die Pflege bestehender Geschäftsbeziehungen, "
                    "sofern die Interessen der Betroffenen nicht überwiegen.</li>"
                    "<li><b>Einwilligung:</b> vor allem für Newsletter und bestimmte Formen der Werbung, die ohne "
                    "ausdrückliche Zustimmung nicht zulässig wären.</li></ul>",
                ),
                ("heading", {"text": "Der Vertrag mit dem Anbieter", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Läuft Ihr CRM in der Cloud, verarbeitet der Anbieter die Daten in Ihrem Auftrag. Dafür "
                    "schreibt Artikel 28 DSGVO einen Vertrag zur Auftragsverarbeitung vor, häufig als AV-Vertrag "
                    "abgekürzt. Seriöse Anbieter stellen ihn von sich aus bereit. Prüfen Sie darin insbesondere, "
                    "welche Unterauftragnehmer eingebunden sind und welche technischen und organisatorischen "
                    "Schutzmaßnahmen zugesichert werden. Bewahren Sie den unterschriebenen "
                    "Vertrag so auf, dass Sie ihn bei einer Prüfung schnell vorlegen können.</p>"
                    "<p>Besondere Aufmerksamkeit verdient der Speicherort. Werden Daten in Länder außerhalb der "
                    "Europäischen Union übermittelt, gelten zusätzliche Anforderungen. Ein Rechenzentrum in der EU "
                    "vereinfacht die Lage deutlich, ersetzt aber nicht den Blick auf mögliche Zugriffe durch "
                    "Konzerngesellschaften oder Supportteams im Ausland.</p>",
                ),
                ("read_also", {"slug": "crm-auswahl-in-fuenf-schritten", "label": ""}),
                ("heading", {"text": "Auskunft, Löschung und Dokumentation", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Betroffene haben das Recht zu erfahren, welche Daten Sie über sie gespeichert haben. Eine "
                    "solche Anfrage müssen Sie in der Regel innerhalb eines Monats beantworten. Mit einem gut "
                    "gepflegten CRM ist das vergleichsweise einfach, denn idealerweise liegen alle Informationen an "
                    "einer Stelle. Testen Sie ruhig einmal, wie schnell Sie eine vollständige Auskunft "
                    "zusammenstellen könnten.</p>"
                    "<p>Ebenso wichtig ist das Löschen. Daten, die für den ursprünglichen Zweck nicht mehr benötigt "
                    "werden, müssen entfernt werden, soweit keine gesetzlichen Aufbewahrungspflichten entgegenstehen. "
                    "Legen Sie deshalb Löschfristen fest und prüfen Sie, ob Ihr System Datensätze automatisch zur "
                    "Löschung vorschlagen kann. Halten Sie die Verarbeitung außerdem in Ihrem Verzeichnis der "
                    "Verarbeitungstätigkeiten fest.</p>",
                ),
                ("heading", {"text": "Vorsicht bei Freitextfeldern", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Ein häufig unterschätztes Risiko sind Notizfelder. Dort landen schnell Bemerkungen über "
                    "Gesundheit, private Umstände oder persönliche Einschätzungen, die mit der Geschäftsbeziehung "
                    "nichts zu tun haben. Solche Angaben gehören nicht ins CRM. Weisen Sie Ihr Team darauf hin, nur "
                    "sachliche und für den Geschäftszweck notwendige Informationen festzuhalten. Eine gute "
                    "Faustregel lautet: Schreiben Sie nichts auf, was Sie der betroffenen Person nicht auch zeigen "
                    "würden.</p>",
                ),
                ("heading", {"text": "Checkliste für den Alltag", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Diese Punkte sollten in keinem Unternehmen fehlen, das ein CRM einsetzt:</p>"
                    "<ol><li>Für jede Datenkategorie ist die Rechtsgrundlage dokumentiert.</li>"
                    "<li>Ein unterschriebener Vertrag zur Auftragsverarbeitung liegt vor.</li>"
                    "<li>Zugriffsrechte sind nach Rollen vergeben und nicht pauschal für alle.</li>"
                    "<li>Löschfristen sind festgelegt und werden regelmäßig umgesetzt.</li>"
                    "<li>Einwilligungen werden mit Datum und Inhalt nachvollziehbar gespeichert.</li></ol>",
                ),
                (
                    "paragraph",
                    "<p><i>Dieser Beitrag gibt einen allgemeinen Überblick und ersetzt keine Rechtsberatung. Bei "
                    "konkreten Fragen wenden Sie sich bitte an Ihre betriebliche Datenschutzbeauftragte oder Ihren "
                    "betrieblichen Datenschutzbeauftragten.</i></p>",
                ),
            ],
        },
        "en": {
            "title": "GDPR in everyday CRM use: what companies really need to know",
            "teaser": "At its core, a CRM is a collection of personal data. Our overview explains the obligations "
            "that follow from this and how to meet them without drowning in paperwork.",
            "lead_quote": "Data protection in a CRM isn’t an obstacle for sales. It simply forces us to know "
            "exactly why we store which data.",
            "lead_quote_attribution": "Markus Lindner, external data protection officer for mid-sized companies",
            "hero_alt": "Abstract graphic of a purple grid in which individual squares are highlighted",
            "hero_caption": "Illustration: editorial team",
            "body": [
                (
                    "paragraph",
                    "<p>A CRM system thrives on information about people: names, e-mail addresses, phone numbers, "
                    "meeting notes, purchase histories. All of this is personal data within the meaning of the "
                    "General Data Protection Regulation, or GDPR for short. Anyone running a CRM therefore has to "
                    "follow a few basic rules, regardless of whether the company has five employees or five "
                    "hundred.</p>"
                    "<p>The good news: for most businesses, these rules are quite manageable. If you take the key "
                    "points into account from the start, you will spare yourself tedious clean-ups later and be well "
                    "prepared when a customer wants to know what is stored about her.</p>",
                ),
                ("heading", {"text": "Legal basis: why are you allowed to store the data?", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Any processing of personal data requires a legal basis under Article 6 GDPR. In everyday CRM "
                    "work, three are particularly relevant:</p>"
                    "<ul><li><b>Contract:</b> data you need to prepare or perform a contract, such as a customer’s "
                    "delivery address and contact person.</li>"
                    "<li><b>Legitimate interest:</b> for example maintaining existing business relationships, "
                    "provided the interests of the people concerned do not prevail.</li>"
                    "<li><b>Consent:</b> above all for newsletters and certain forms of advertising that would not "
                    "be permitted without explicit agreement.</li></ul>",
                ),
                ("heading", {"text": "The contract with the vendor", "level": "h2"}),
                (
                    "paragraph",
                    "<p>If your CRM runs in the cloud, the vendor processes the data on your behalf. For this, "
                    "Article 28 GDPR requires a data processing agreement, often abbreviated to DPA. Reputable "
                    "vendors provide one as a matter of course. Check in particular which subprocessors are involved "
                    "and which technical and organisational safeguards are promised. Keep the signed agreement "
                    "somewhere you can produce it quickly in the event of an audit.</p>"
                    "<p>The storage location deserves special attention. If data is transferred to countries outside "
                    "the European Union, additional requirements apply. A data centre in the EU simplifies matters "
                    "considerably, but it is no substitute for checking whether group companies or support teams "
                    "abroad could access the data.</p>",
                ),
                ("read_also", {"slug": "crm-auswahl-in-fuenf-schritten", "label": ""}),
                ("heading", {"text": "Access requests, deletion and documentation", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Data subjects have the right to find out which data you hold about them. As a rule, you must "
                    "respond to such a request within one month. With a well-maintained CRM this is comparatively "
                    "easy, because ideally all the information is kept in one place. Why not test how quickly you "
                    "could put together a complete response?</p>"
                    "<p>Deletion is just as important. Data that is no longer needed for its original purpose must be "
                    "removed, unless statutory retention obligations stand in the way. So set deletion periods and "
                    "check whether your system can automatically flag records for deletion. Also document the "
                    "processing in your record of processing activities.</p>",
                ),
                ("heading", {"text": "Beware of free-text fields", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Note fields are an often underestimated risk. They quickly fill up with remarks about "
                    "health, private circumstances or personal opinions that have nothing to do with the business "
                    "relationship. Such details don’t belong in a CRM. Remind your team to record only factual "
                    "information that is necessary for business purposes. A good rule of thumb: don’t write down "
                    "anything you wouldn’t be willing to show the person concerned.</p>",
                ),
                ("heading", {"text": "A checklist for everyday use", "level": "h2"}),
                (
                    "paragraph",
                    "<p>No company that uses a CRM should be without these basics:</p>"
                    "<ol><li>The legal basis is documented for every category of data.</li>"
                    "<li>A signed data processing agreement is in place.</li>"
                    "<li>Access rights are assigned by role rather than granted to everyone.</li>"
                    "<li>Deletion periods are defined and applied regularly.</li>"
                    "<li>Consents are stored traceably, with date and content.</li></ol>",
                ),
                (
                    "paragraph",
                    "<p><i>This article provides a general overview and does not constitute legal advice. If you "
                    "have specific questions, please contact your company’s data protection officer.</i></p>",
                ),
            ],
        },
    },
    # 4 ---------------------------------------------------------------------
    {
        "slug": "ki-im-kundenservice",
        "date": "2026-11-05",
        "author": "lena",
        "topics": ["kundenservice", "datenschutz"],
        "related": ["kundenservice-messen", "dsgvo-im-crm-alltag"],
        "hero": {"hue": 280, "motif": "circles"},
        "de": {
            "title": "KI im Kundenservice: Wo sie hilft und wo Menschen unersetzlich bleiben",
            "teaser": "Antwortvorschläge, Chatbots und automatische Ticketverteilung: Künstliche Intelligenz kann den "
            "Kundenservice spürbar entlasten. Worauf Sie achten sollten, damit auch Ihre Kundschaft profitiert.",
            "lead_quote": "Die KI schreibt den ersten Entwurf. Ob er freundlich, richtig und passend ist, "
            "entscheidet bei uns weiterhin ein Mensch.",
            "lead_quote_attribution": "Julia Hartmann, Leiterin Kundenservice bei einem Onlinehändler für Gartenbedarf",
            "hero_alt": "Abstrakte Grafik aus violetten Kreisen, die sich in unterschiedlichen Größen überlagern",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Kaum ein Bereich wird derzeit so stark von künstlicher Intelligenz verändert wie der "
                    "Kundenservice. Viele CRM-Systeme bringen inzwischen Funktionen mit, die Anfragen automatisch "
                    "einordnen, Antworten vorschlagen oder lange E-Mail-Verläufe in wenigen Sätzen zusammenfassen. "
                    "Für Serviceteams, die mit wachsenden Anfragezahlen kämpfen, klingt das verlockend.</p>"
                    "<p>Doch nicht jede Funktion ist für jedes Unternehmen sinnvoll. Entscheidend ist, wo KI "
                    "tatsächlich Arbeit abnimmt und wo sie neue Probleme schafft. Ein Überblick über die wichtigsten "
                    "Einsatzfelder, typische Stolperfallen und einen sinnvollen Einstieg.</p>",
                ),
                ("heading", {"text": "Wo KI heute zuverlässig hilft", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Die größten Vorteile zeigen sich bei Aufgaben, die häufig vorkommen, klaren Mustern folgen "
                    "und sich leicht überprüfen lassen:</p>"
                    "<ul><li><b>Einordnen und Weiterleiten:</b> Eingehende Anfragen werden nach Thema und "
                    "Dringlichkeit sortiert und dem passenden Team zugewiesen.</li>"
                    "<li><b>Antwortvorschläge:</b> Die Software formuliert auf Basis früherer Antworten und Ihrer "
                    "Wissensdatenbank einen Entwurf, den Mitarbeitende prüfen und anpassen.</li>"
                    "<li><b>Zusammenfassungen:</b> Wer einen Fall übernimmt, erfasst lange Verläufe in Sekunden "
                    "statt in Minuten.</li>"
                    "<li><b>Übersetzungen:</b> Anfragen in Fremdsprachen lassen sich verstehen und beantworten, "
                    "auch wenn niemand im Team die Sprache beherrscht.</li></ul>",
                ),
                ("heading", {"text": "Chatbots: hilfreich, wenn sie ehrlich sind", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Chatbots auf der Website oder im Kundenportal können einfache Fragen rund um die Uhr "
                    "beantworten, etwa nach Öffnungszeiten, Lieferstatus oder Rücksendebedingungen. Problematisch "
                    "wird es, wenn sie Kompetenz vortäuschen, die sie nicht haben. Ein Bot, der bei einer "
                    "komplizierten Reklamation immer wieder dieselben Antworten liefert, verärgert Kundinnen und "
                    "Kunden mehr als eine ehrlich angekündigte Wartezeit. Legen Sie deshalb fest, bei welchen Themen "
                    "der Bot grundsätzlich nicht selbst antwortet, etwa bei Kündigungen, Beschwerden über "
                    "Mitarbeitende oder rechtlichen Fragen.</p>"
                    "<p>Gute Lösungen erkennen ihre Grenzen und übergeben an einen Menschen, ohne dass die Kundin "
                    "ihr Anliegen noch einmal schildern muss. Zudem sollte immer erkennbar sein, dass man mit einem "
                    "automatisierten System kommuniziert. Die europäische KI-Verordnung sieht solche "
                    "Transparenzpflichten ausdrücklich vor.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Unsere Kundinnen und Kunden akzeptieren den Chatbot, weil er nach zwei erfolglosen "
                        "Versuchen sofort anbietet, an eine Kollegin zu übergeben.",
                        "attribution": "Daniel Vogt, Teamleiter Service bei einem regionalen Energieversorger",
                    },
                ),
                ("heading", {"text": "Datenschutz und Qualität im Blick behalten", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Wer KI-Funktionen nutzt, gibt Kundendaten an Sprachmodelle weiter, die oft bei "
                    "spezialisierten Dienstleistern laufen. Klären Sie daher vorab, wo die Verarbeitung stattfindet, "
                    "ob die Daten zum Training der Modelle verwendet werden und ob Ihr Vertrag zur "
                    "Auftragsverarbeitung diese Funktionen abdeckt. Viele Systeme lassen sich so einstellen, dass "
                    "Eingaben weder gespeichert noch für Trainingszwecke genutzt werden.</p>"
                    "<p>Ebenso wichtig ist die Qualitätskontrolle. Sprachmodelle formulieren überzeugend, liegen "
                    "aber gelegentlich sachlich daneben. Antworten zu Preisen, Verträgen oder Garantien sollte "
                    "deshalb immer ein Mensch freigeben, bevor sie das Haus verlassen.</p>",
                ),
                ("heading", {"text": "Ohne gepflegtes Wissen keine guten Vorschläge", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Wie gut Antwortvorschläge ausfallen, hängt stark von den Informationen ab, auf die das "
                    "System zugreifen kann. Veraltete Artikel in der Wissensdatenbank, widersprüchliche Angaben zu "
                    "Lieferzeiten oder fehlende Beschreibungen neuer Produkte führen unweigerlich zu fehlerhaften "
                    "Entwürfen. Bevor Sie KI-Funktionen einschalten, lohnt sich daher ein kritischer Blick auf die "
                    "vorhandenen Inhalte. Legen Sie fest, wer die Wissensdatenbank pflegt, und verknüpfen Sie jede "
                    "Produktänderung mit einer Aktualisierung der entsprechenden Artikel. Dieser Aufwand zahlt sich "
                    "doppelt aus, denn auch neue Mitarbeitende finden sich mit einer gepflegten Wissensbasis "
                    "schneller zurecht.</p>",
                ),
                ("read_also", {"slug": "dsgvo-im-crm-alltag", "label": ""}),
                ("heading", {"text": "So gelingt der Einstieg", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Beginnen Sie mit einer einzigen, klar abgegrenzten Funktion, zum Beispiel automatischen "
                    "Zusammenfassungen oder Antwortvorschlägen für häufige Standardfragen. Legen Sie vorher fest, "
                    "woran Sie den Erfolg messen: kürzere Bearbeitungszeiten, weniger Rückfragen oder eine höhere "
                    "Zufriedenheit im Team. Nach einigen Wochen können Sie auf dieser Grundlage entscheiden, ob sich "
                    "ein Ausbau lohnt.</p>"
                    "<p>Vergessen Sie dabei nicht die Menschen im Service. KI verändert ihre Arbeit, nimmt sie ihnen "
                    "aber nicht ab. Wer die Beschäftigten früh einbindet und ihre Erfahrung nutzt, um Vorschläge und "
                    "Wissensdatenbank zu verbessern, erzielt bessere Ergebnisse und mehr Akzeptanz.</p>",
                ),
                ("read_also", {"slug": "kundenservice-messen", "label": "Passend dazu"}),
            ],
        },
        "en": None,
    },
    # 5 ---------------------------------------------------------------------
    {
        "slug": "vertriebspipeline-mit-crm",
        "date": "2026-07-08",
        "author": "jonas",
        "topics": ["vertrieb", "mittelstand"],
        "related": ["datenqualitaet-im-crm", "crm-einfuehrung-im-mittelstand"],
        "hero": {"hue": 30, "motif": "waves"},
        "de": {
            "title": "Die Vertriebspipeline im CRM: Vom Erstkontakt bis zum Auftrag",
            "teaser": "Eine gut aufgebaute Pipeline zeigt, wo jede Verkaufschance steht und wo es hakt. Wie Sie "
            "sinnvolle Phasen definieren und die Pipeline zum Steuerungsinstrument machen.",
            "lead_quote": "",
            "lead_quote_attribution": "",
            "hero_alt": "Abstrakte Grafik aus orangefarbenen Wellenlinien, die sich über die gesamte Bildfläche ziehen",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Fragt man Vertriebsleitungen, welche CRM-Funktion sie am häufigsten nutzen, fällt eine "
                    "Antwort besonders oft: die Pipeline. Gemeint ist die Darstellung aller offenen "
                    "Verkaufschancen, sortiert nach ihrem Fortschritt. Meist erscheint sie als Tafel mit Spalten, "
                    "auf der jede Chance als Karte von links nach rechts wandert. Auf einen Blick wird sichtbar, "
                    "wie viel Umsatzpotenzial in den kommenden Wochen ansteht und wo Handlungsbedarf besteht.</p>"
                    "<p>So einfach das Prinzip ist, so unterschiedlich ist der Nutzen in der Praxis. In manchen "
                    "Unternehmen ist die Pipeline das zentrale Steuerungsinstrument, in anderen ein vernachlässigtes "
                    "Bild, das niemand aktualisiert. Der Unterschied liegt fast immer in der Gestaltung.</p>",
                ),
                ("heading", {"text": "Phasen, die zu Ihrem Verkaufsprozess passen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Die Phasen der Pipeline sollten abbilden, wie Sie tatsächlich verkaufen, und nicht, wie ein "
                    "Lehrbuch es vorschlägt. Ein Handwerksbetrieb, der Angebote nach einem Termin vor Ort erstellt, "
                    "braucht andere Stufen als ein Softwarehaus mit mehrmonatigen Auswahlverfahren. Für viele "
                    "Unternehmen ist diese Grundstruktur ein guter Ausgangspunkt:</p>"
                    "<ol><li>Anfrage eingegangen</li><li>Bedarf geklärt</li><li>Angebot versendet</li>"
                    "<li>Verhandlung</li><li>Gewonnen oder verloren</li></ol>",
                ),
                (
                    "paragraph",
                    "<p>Wichtig ist, dass jede Phase ein eindeutiges Kriterium hat. „Angebot versendet“ lässt sich "
                    "klar überprüfen, „Kunde ist interessiert“ dagegen nicht. Je objektiver die Übergänge definiert "
                    "sind, desto verlässlicher wird die Pipeline als Grundlage für Prognosen.</p>",
                ),
                ("heading", {"text": "Wahrscheinlichkeiten und Prognosen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Viele Systeme ordnen jeder Phase eine Abschlusswahrscheinlichkeit zu. Multipliziert mit dem "
                    "erwarteten Auftragswert ergibt sich eine gewichtete Summe, die als Umsatzprognose dient. Ein "
                    "Angebot über 20.000 Euro in einer Phase mit 40 Prozent Wahrscheinlichkeit fließt also mit "
                    "8.000 Euro in die Prognose ein.</p>"
                    "<p>Diese Werte sollten Sie nicht einfach aus den Voreinstellungen übernehmen. Werten Sie nach "
                    "einigen Monaten aus, wie viele Chancen aus jeder Phase tatsächlich gewonnen wurden, und passen "
                    "Sie die Prozentsätze entsprechend an. So wird die Prognose mit jedem Quartal genauer. Kleine Teams mit wenigen "
                    "Abschlüssen pro Quartal sollten dabei längere Zeiträume betrachten, damit einzelne Ausreißer das "
                    "Bild nicht verzerren.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Seit wir die Pipeline jeden Montag gemeinsam durchgehen, fällt uns viel früher auf, "
                        "wenn ein Angebot ins Stocken gerät.",
                        "attribution": "Claudia Neumann, Vertriebsleiterin eines Herstellers von Verpackungsmaschinen",
                    },
                ),
                ("heading", {"text": "Klare Übergaben zwischen Marketing und Vertrieb", "level": "h2"}),
                (
                    "paragraph",
                    "<p>In vielen Unternehmen beginnt die Pipeline nicht erst mit dem ersten Verkaufsgespräch. "
                    "Anfragen über die Website, Kontakte von Messen oder Rückmeldungen auf einen Newsletter landen "
                    "zunächst im Marketing. Vereinbaren Sie klar, ab wann ein solcher Kontakt an den Vertrieb "
                    "übergeben wird, zum Beispiel sobald ein konkreter Bedarf und ein Zeitrahmen bekannt sind. Ohne "
                    "diese Regel verstopfen unqualifizierte Kontakte die Pipeline, und die Prognose verliert an "
                    "Aussagekraft. Umgekehrt sollte der Vertrieb dem Marketing zurückmelden, welche Quellen "
                    "tatsächlich zu Aufträgen führen. So fließt das Budget künftig dorthin, wo es am meisten "
                    "bewirkt.</p>",
                ),
                ("heading", {"text": "Die Pipeline aktuell halten", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Eine Pipeline ist nur so gut wie ihre Aktualität. Drei Gewohnheiten helfen, sie zuverlässig "
                    "zu pflegen:</p>"
                    "<ul><li>Jede Verkaufschance hat einen nächsten Schritt mit Datum, etwa einen Anruf oder ein "
                    "Treffen.</li>"
                    "<li>Chancen, die sich seit Wochen nicht bewegt haben, werden in der Teambesprechung gezielt "
                    "angesprochen.</li>"
                    "<li>Verlorene Geschäfte werden mit einer Begründung geschlossen, statt still in der Liste zu "
                    "verharren.</li></ul>",
                ),
                ("heading", {"text": "Verlustgründe als Lernquelle", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Gerade die dokumentierten Verlustgründe sind wertvoll. Zeigt sich über Monate hinweg, dass "
                    "Aufträge vor allem am Preis oder an langen Lieferzeiten scheitern, ist das eine wichtige "
                    "Information für Geschäftsführung, Einkauf und Produktion. Die Pipeline wird so vom reinen "
                    "Vertriebswerkzeug zu einer Informationsquelle für das ganze Unternehmen.</p>"
                    "<p>Voraussetzung ist allerdings, dass die Gründe ehrlich erfasst werden. Wer bei jedem "
                    "verlorenen Geschäft reflexhaft „zu teuer“ auswählt, verschenkt diese Chance. Eine kurze Liste "
                    "mit fünf oder sechs klar formulierten Gründen und einem optionalen Kommentarfeld hat sich "
                    "bewährt.</p>",
                ),
                ("read_also", {"slug": "datenqualitaet-im-crm", "label": ""}),
            ],
        },
        "en": None,
    },
    # 6 ---------------------------------------------------------------------
    {
        "slug": "crm-integration-e-mail-erp-buchhaltung",
        "date": "2026-06-24",
        "author": "lena",
        "topics": ["integration", "mittelstand", "crm-auswahl"],
        "related": [],
        "hero": {"hue": 190, "motif": "nodes"},
        "de": {
            "title": "CRM, E-Mail, ERP und Buchhaltung: So wachsen die Systeme zusammen",
            "teaser": "Ein CRM entfaltet seinen vollen Nutzen erst, wenn es mit den übrigen Programmen im Unternehmen "
            "verbunden ist. Welche Schnittstellen wichtig sind und wie Sie Doppelarbeit vermeiden.",
            "lead_quote": "",
            "lead_quote_attribution": "",
            "hero_alt": "Abstrakte Grafik aus türkisfarbenen Knotenpunkten, die über Linien miteinander verbunden sind",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>In den meisten Unternehmen ist das CRM nicht das erste Programm. E-Mail und Kalender sind "
                    "längst etabliert, Rechnungen entstehen in der Buchhaltungssoftware, Aufträge und Lagerbestände "
                    "werden in einem ERP-System verwaltet. Ohne Verbindung zwischen diesen Systemen entstehen "
                    "Datensilos: Dieselbe Adresse wird mehrfach gepflegt, und niemand weiß sicher, welche Version "
                    "aktuell ist.</p>"
                    "<p>Eine durchdachte Integration beseitigt diese Doppelarbeit und sorgt dafür, dass alle "
                    "Abteilungen mit denselben Informationen arbeiten. Sie muss nicht alles auf einmal verbinden, "
                    "sollte aber einem klaren Plan folgen, der Prioritäten und Zuständigkeiten festlegt.</p>",
                ),
                ("heading", {"text": "E-Mail und Kalender: die wichtigste Verbindung", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Der größte Teil der Kundenkommunikation läuft nach wie vor per E-Mail. Eine gute Anbindung "
                    "sorgt dafür, dass Nachrichten automatisch beim richtigen Kontakt im CRM erscheinen, ohne dass "
                    "jemand sie von Hand ablegen muss. Termine aus dem Kalender werden ebenfalls zugeordnet, sodass "
                    "die Historie einer Kundenbeziehung vollständig bleibt.</p>"
                    "<p>Achten Sie darauf, dass private oder rein interne Nachrichten nicht versehentlich im CRM "
                    "landen. Die meisten Systeme erlauben es, die Synchronisierung auf bestimmte Ordner oder "
                    "Absender zu beschränken.</p>",
                ),
                ("heading", {"text": "ERP und Warenwirtschaft", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Die Verbindung zum ERP-System ist vor allem für Unternehmen wichtig, die physische Produkte "
                    "verkaufen. Der Vertrieb sieht dann im CRM, welche Artikel ein Kunde bestellt hat, ob Rechnungen "
                    "offen sind und wie es um die Lieferfähigkeit steht. Umgekehrt kann ein gewonnenes Angebot "
                    "direkt als Auftrag ins ERP übergeben werden.</p>"
                    "<p>Zentral ist dabei die Frage, welches System für welche Daten führend ist. Eine bewährte "
                    "Aufteilung lautet:</p>"
                    "<ul><li>Kontakte, Ansprechpartner und Vertriebsaktivitäten werden im CRM gepflegt.</li>"
                    "<li>Artikel, Preise und Lagerbestände stammen aus dem ERP.</li>"
                    "<li>Rechnungen und Zahlungsstatus kommen aus der Buchhaltung.</li></ul>",
                ),
                ("read_also", {"slug": "crm-auswahl-in-fuenf-schritten", "label": "Zum Weiterlesen"}),
                ("heading", {"text": "Buchhaltung: Zahlen ohne Abtippen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Wer Angebote im CRM erstellt, möchte sie nicht noch einmal in der Buchhaltung erfassen. Eine "
                    "Schnittstelle überträgt Kundendaten und Auftragspositionen, aus denen dann die Rechnung "
                    "entsteht. Im Gegenzug meldet die Buchhaltung zurück, ob eine Rechnung bezahlt wurde. Das hilft "
                    "dem Vertrieb, etwa bevor er einem Kunden mit offenen Posten ein neues Angebot schickt.</p>"
                    "<p>Klären Sie vorab, in welchem System Kundennummern vergeben werden. Entstehen sie sowohl im "
                    "CRM als auch in der Buchhaltung, sind Zuordnungsfehler praktisch vorprogrammiert. Eine einzige "
                    "führende Quelle für Kundennummern, auf die sich alle anderen Programme beziehen, verhindert "
                    "dieses Durcheinander zuverlässig. Gleiches gilt für Artikelnummern und Steuersätze.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Früher haben wir jede Adressänderung an drei Stellen eingetragen. Heute pflegen wir "
                        "sie einmal, und die Buchhaltung hat sie am nächsten Morgen.",
                        "attribution": "Stefanie Roth, kaufmännische Leiterin eines Sanitärbetriebs",
                    },
                ),
                ("heading", {"text": "Fertige Schnittstelle oder individuelle Lösung?", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Viele CRM-Anbieter bieten vorgefertigte Verbindungen zu verbreiteten Programmen an. Sie sind "
                    "schnell eingerichtet und werden vom Anbieter gepflegt. Fehlt eine solche Verbindung, gibt es "
                    "zwei Wege: Integrationsplattformen, die Systeme über vorgefertigte Bausteine verknüpfen, oder "
                    "eine individuell programmierte Lösung über die Programmierschnittstellen der beteiligten "
                    "Systeme.</p>"
                    "<p>Individuelle Lösungen sind flexibel, müssen aber dauerhaft gewartet werden. Jedes Update "
                    "eines beteiligten Programms kann Anpassungen erfordern. Kalkulieren Sie diesen Aufwand ein und "
                    "dokumentieren Sie sorgfältig, welche Daten wann in welche Richtung fließen.</p>",
                ),
                ("heading", {"text": "Schritt für Schritt verbinden", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Beginnen Sie mit der Verbindung, die im Alltag am meisten Zeit spart. Meist ist das die "
                    "Anbindung an E-Mail und Kalender. Testen Sie jede neue Schnittstelle zunächst mit einer kleinen "
                    "Datenmenge und prüfen Sie, ob Sonderzeichen, Adressformate und Dubletten korrekt behandelt "
                    "werden. Und denken Sie an den Datenschutz: Jede Verbindung ist ein weiterer Weg, auf dem "
                    "personenbezogene Daten fließen, und gehört deshalb in Ihre Dokumentation. Legen Sie "
                    "außerdem fest, wer im Haus für die Schnittstellen zuständig ist und wer bei Störungen informiert "
                    "wird, denn auch die beste Verbindung fällt gelegentlich aus.</p>",
                ),
            ],
        },
        "en": None,
    },
    # 7 ---------------------------------------------------------------------
    {
        "slug": "kundenservice-messen",
        "date": "2026-10-21",
        "author": "jonas",
        "topics": ["kundenservice"],
        "related": ["ki-im-kundenservice", "vertriebspipeline-mit-crm"],
        "hero": {"hue": 340, "motif": "bars"},
        "de": {
            "title": "Kundenservice messen: Welche Kennzahlen wirklich etwas aussagen",
            "teaser": "Reaktionszeit, Lösungsquote, Zufriedenheit: Ein CRM liefert Zahlen in Hülle und Fülle. Welche "
            "Kennzahlen für kleine und mittlere Serviceteams wirklich zählen und wie Sie sie richtig lesen.",
            "lead_quote": "Wer nur die Geschwindigkeit misst, bekommt schnelle Antworten. Ob sie das Problem lösen, "
            "steht auf einem anderen Blatt.",
            "lead_quote_attribution": "Sandra Meier, Beraterin für Serviceorganisation",
            "hero_alt": "Abstrakte Grafik aus roten und rosafarbenen Balken unterschiedlicher Höhe",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Moderne CRM-Systeme zeichnen nahezu jeden Schritt im Kundenservice auf: wann eine Anfrage "
                    "eingeht, wer sie bearbeitet, wie oft nachgefragt wird und wann der Fall abgeschlossen ist. "
                    "Daraus lassen sich Dutzende Kennzahlen berechnen. Die Kunst besteht darin, die wenigen "
                    "auszuwählen, die tatsächlich etwas über die Qualität Ihres Services aussagen.</p>"
                    "<p>Das gilt besonders für kleinere Teams. Wer mit drei oder vier Personen den gesamten Service "
                    "stemmt, hat keine Zeit für umfangreiche Berichte, braucht aber trotzdem verlässliche "
                    "Anhaltspunkte, ob sich die Arbeit in die richtige Richtung entwickelt.</p>",
                ),
                ("heading", {"text": "Vier Kennzahlen für den Anfang", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Für die meisten Serviceteams genügen zu Beginn vier Werte, die gemeinsam ein ausgewogenes "
                    "Bild ergeben:</p>"
                    "<ul><li><b>Erste Reaktionszeit:</b> Wie lange wartet eine Kundin, bis sie eine erste "
                    "persönliche Antwort erhält?</li>"
                    "<li><b>Lösungszeit:</b> Wie lange dauert es vom Eingang bis zur Lösung des Anliegens?</li>"
                    "<li><b>Erstlösungsquote:</b> Welcher Anteil der Anfragen wird beim ersten Kontakt abschließend "
                    "geklärt?</li>"
                    "<li><b>Kundenzufriedenheit:</b> Wie bewerten Kundinnen und Kunden die Bearbeitung in einer "
                    "kurzen Umfrage nach Abschluss?</li></ul>",
                ),
                (
                    "paragraph",
                    "<p>Keine dieser Zahlen sollte allein betrachtet werden. Eine sehr kurze Reaktionszeit ist wenig "
                    "wert, wenn gleichzeitig die Erstlösungsquote sinkt. Umgekehrt kann eine längere Lösungszeit in "
                    "Ordnung sein, wenn die Zufriedenheit hoch bleibt, weil komplizierte Fälle gründlich bearbeitet "
                    "werden. Erst das Zusammenspiel der Werte zeigt, ob Ihr Service schneller, besser oder beides "
                    "zugleich wird.</p>",
                ),
                ("heading", {"text": "Zahlen richtig lesen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Durchschnittswerte verbergen oft das Wesentliche. Liegt die durchschnittliche Reaktionszeit "
                    "bei vier Stunden, können sich dahinter viele schnelle Antworten und einige Anfragen verbergen, "
                    "die tagelang liegen geblieben sind. Aussagekräftiger ist deshalb der Median oder die Frage, "
                    "wie viel Prozent der Anfragen innerhalb einer festgelegten Frist beantwortet wurden, etwa "
                    "binnen acht Arbeitsstunden.</p>"
                    "<p>Vergleichen Sie Werte außerdem über längere Zeiträume und berücksichtigen Sie saisonale "
                    "Schwankungen. Ein Onlinehändler erlebt in den Wochen vor Weihnachten zwangsläufig andere Zahlen "
                    "als im Hochsommer. Auch Änderungen im Sortiment, neue Preise oder eine umgebaute Website schlagen "
                    "sich oft unmittelbar im Anfragevolumen nieder.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Unsere wichtigste Erkenntnis war, dass viele Anfragen gar nicht erst hätten entstehen "
                        "müssen, weil auf der Rechnung eine Information fehlte.",
                        "attribution": "Florian Schuster, Leiter Kundenservice bei einem Anbieter von Büromöbeln",
                    },
                ),
                ("heading", {"text": "Ziele realistisch festlegen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Sobald Sie Ihre Ausgangswerte kennen, können Sie Ziele formulieren. Orientieren Sie sich "
                    "dabei an dem, was Ihre Kundschaft erwartet und was Ihr Team mit den vorhandenen Kapazitäten "
                    "leisten kann, nicht an pauschalen Vergleichswerten aus dem Internet. Ein Ziel wie „90 Prozent "
                    "aller E-Mail-Anfragen werden innerhalb eines Arbeitstags beantwortet“ ist konkret, überprüfbar "
                    "und für alle verständlich. Setzen Sie lieber wenige Ziele und überprüfen Sie diese jedes "
                    "Quartal, als ein umfangreiches Kennzahlensystem aufzubauen, das im Alltag niemand verfolgt.</p>",
                ),
                ("heading", {"text": "Kennzahlen als Werkzeug, nicht als Druckmittel", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Kennzahlen entfalten ihren Nutzen vor allem dann, wenn das Team sie als Hilfe zur "
                    "Verbesserung versteht. Werden sie dagegen genutzt, um einzelne Mitarbeitende zu vergleichen "
                    "oder unter Druck zu setzen, sinkt die Qualität schnell. Dann werden Fälle vorschnell "
                    "geschlossen, um die Statistik zu schönen, und schwierige Anfragen werden weitergereicht.</p>"
                    "<p>Besprechen Sie die Zahlen deshalb regelmäßig gemeinsam und fragen Sie nach den Ursachen "
                    "hinter auffälligen Werten. Häufig zeigen sich dabei Schwachstellen, die gar nicht im Service "
                    "liegen, etwa unklare Produktbeschreibungen oder fehlerhafte Rechnungen.</p>",
                ),
                ("read_also", {"slug": "ki-im-kundenservice", "label": ""}),
                ("heading", {"text": "Die Stimme der Kundschaft einbeziehen", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Ergänzen Sie die Kennzahlen durch qualitative Rückmeldungen. Ein Freitextfeld in der "
                    "Zufriedenheitsumfrage liefert oft die konkretesten Hinweise. Lesen Sie diese Kommentare "
                    "regelmäßig im Team und halten Sie fest, welche Verbesserungen daraus entstanden sind. So wird "
                    "für alle sichtbar, dass das Messen kein Selbstzweck ist. Wer Kundinnen und Kunden zudem mitteilt, was sich "
                    "aufgrund ihrer Hinweise geändert hat, erhöht ihre Bereitschaft, auch künftig an Umfragen "
                    "teilzunehmen.</p>",
                ),
            ],
        },
        "en": None,
    },
    # 8 ---------------------------------------------------------------------
    {
        "slug": "datenqualitaet-im-crm",
        "date": "2026-11-18",
        "author": "aylin",
        "topics": ["mittelstand", "vertrieb", "datenschutz"],
        "related": ["crm-einfuehrung-im-mittelstand", "vertriebspipeline-mit-crm", "dsgvo-im-crm-alltag"],
        "hero": {"hue": 100, "motif": "waves"},
        "de": {
            "title": "Datenqualität im CRM: Warum gepflegte Kontakte mehr wert sind als neue",
            "teaser": "Dubletten, veraltete Ansprechpartner, leere Pflichtfelder: Schlechte Daten kosten Zeit und "
            "Vertrauen. Wie Sie die Qualität Ihrer CRM-Daten dauerhaft sichern.",
            "lead_quote": "",
            "lead_quote_attribution": "",
            "hero_alt": "Abstrakte Grafik aus hellgrünen, sanft geschwungenen Wellenlinien auf hellem Grund",
            "hero_caption": "Illustration: Redaktion",
            "body": [
                (
                    "paragraph",
                    "<p>Ein CRM-System ist nur so nützlich wie die Daten, die darin stehen. Das klingt "
                    "selbstverständlich, gerät im Alltag aber leicht in Vergessenheit. Nach einigen Jahren im "
                    "Einsatz finden sich in vielen Systemen doppelte Firmeneinträge, Ansprechpartner, die das "
                    "Unternehmen längst verlassen haben, und Telefonnummern, die ins Leere führen.</p>"
                    "<p>Die Folgen sind spürbar: Der Vertrieb ruft die falsche Person an, Newsletter landen in "
                    "Postfächern, die es nicht mehr gibt, und Auswertungen liefern ein verzerrtes Bild. Vor allem "
                    "aber sinkt das Vertrauen des Teams in das System und damit die Bereitschaft, es überhaupt zu "
                    "nutzen.</p>",
                ),
                ("heading", {"text": "Woran Sie schlechte Datenqualität erkennen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Einige Warnsignale deuten darauf hin, dass es Zeit für eine Bestandsaufnahme ist:</p>"
                    "<ul><li>Bei der Suche nach einem Kunden erscheinen mehrere ähnliche Einträge.</li>"
                    "<li>Mitarbeitende führen nebenbei eigene Listen, weil sie dem CRM nicht trauen.</li>"
                    "<li>Wichtige Felder wie Branche oder Ansprechpartner sind bei vielen Firmen leer.</li>"
                    "<li>Immer mehr E-Mails kommen als unzustellbar zurück, weil Adressen nicht mehr gültig "
                    "sind.</li></ul>",
                ),
                ("heading", {"text": "Regeln vor Technik", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Der wichtigste Schritt zu besseren Daten ist keine Software, sondern eine Vereinbarung im "
                    "Team. Legen Sie fest, welche Felder bei einem neuen Kontakt zwingend ausgefüllt werden, wie "
                    "Firmennamen geschrieben werden und wer für die Pflege welcher Kunden zuständig ist. Diese "
                    "Regeln sollten kurz sein und auf eine Seite passen, damit sie tatsächlich gelesen werden. Besprechen Sie sie mit allen, "
                    "die Daten erfassen, und nehmen Sie Einwände ernst, denn nur akzeptierte Regeln werden auch "
                    "eingehalten.</p>"
                    "<p>Hilfreich sind außerdem Auswahllisten statt freier Eingabefelder. Wenn die Branche aus einer "
                    "festen Liste gewählt wird, entstehen keine zehn Schreibweisen für denselben Begriff, und "
                    "Auswertungen werden deutlich zuverlässiger.</p>",
                ),
                (
                    "quote",
                    {
                        "text": "Wir haben die Zahl der Pflichtfelder halbiert. Seitdem sind die übrigen Felder fast "
                        "immer ausgefüllt, und zwar richtig.",
                        "attribution": "Katrin Wolf, Leiterin Innendienst bei einem Großhändler für Elektrotechnik",
                    },
                ),
                ("heading", {"text": "Dubletten finden und zusammenführen", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Die meisten CRM-Systeme bringen Funktionen mit, die mögliche Dubletten anhand von Namen, "
                    "Adressen oder E-Mail-Domains erkennen. Nutzen Sie diese regelmäßig, etwa einmal im Monat. Beim "
                    "Zusammenführen ist Sorgfalt gefragt: Prüfen Sie, welcher Datensatz die aktuelleren Angaben "
                    "enthält, und achten Sie darauf, dass Aktivitäten, Angebote und Notizen vollständig übernommen "
                    "werden.</p>"
                    "<p>Noch besser ist es, Dubletten gar nicht erst entstehen zu lassen. Viele Systeme warnen "
                    "bereits bei der Eingabe, wenn ein ähnlicher Eintrag existiert. Diese Warnung sollte in jedem "
                    "Fall aktiviert sein.</p>",
                ),
                ("heading", {"text": "Datenqualität und Datenschutz gehören zusammen", "level": "h3"}),
                (
                    "paragraph",
                    "<p>Veraltete Daten sind nicht nur lästig, sondern können auch ein Datenschutzproblem sein. Die "
                    "DSGVO verlangt, dass personenbezogene Daten sachlich richtig sind und auf das notwendige Maß "
                    "beschränkt bleiben. Wer regelmäßig aufräumt, erfüllt diese Grundsätze ganz nebenbei und "
                    "verringert zugleich den möglichen Schaden, falls es doch einmal zu einer Datenpanne kommt.</p>"
                    "<p>Praktisch bedeutet das: Kontakte, zu denen seit Jahren keine Geschäftsbeziehung mehr "
                    "besteht, sollten Sie nach einer festgelegten Frist prüfen und gegebenenfalls löschen oder "
                    "anonymisieren. Viele Systeme können solche Datensätze automatisch markieren. Die Entscheidung "
                    "sollte allerdings ein Mensch treffen, denn manchmal ruht eine Kundenbeziehung nur "
                    "vorübergehend.</p>",
                ),
                ("read_also", {"slug": "dsgvo-im-crm-alltag", "label": ""}),
                ("heading", {"text": "Pflege als Routine etablieren", "level": "h2"}),
                (
                    "paragraph",
                    "<p>Datenqualität ist keine einmalige Aufräumaktion, sondern eine Gewohnheit. Bewährt haben sich "
                    "feste Termine, etwa eine kurze Pflegerunde am Ende jedes Quartals, in der alle im Vertrieb "
                    "ihre eigenen Kontakte durchsehen. Manche Unternehmen machen daraus einen kleinen Wettbewerb "
                    "zwischen den Teams. Entscheidend ist, dass die Pflege sichtbar gewürdigt wird, denn sie ist die "
                    "Grundlage für alles, was das CRM leisten soll.</p>"
                    "<p>Hilfreich ist auch eine einfache Übersicht, die den Zustand der Daten sichtbar macht: Wie "
                    "viele Kontakte haben keine E-Mail-Adresse, bei wie vielen Firmen fehlt die Branche, wie viele "
                    "mögliche Dubletten wurden erkannt? Sinken diese Zahlen über die Monate, sehen alle Beteiligten, "
                    "dass sich die Mühe lohnt. Steigen sie, ist das ein frühes Signal, die gemeinsamen Regeln noch "
                    "einmal zu besprechen.</p>",
                ),
            ],
        },
        "en": None,
    },
]

# The articles that hold the CRM-Auswahl wizard, and the body position it is inserted at.
WIZARD_ARTICLES = {"crm-auswahl-in-fuenf-schritten": 4, "crm-einfuehrung-im-mittelstand": 6}

PRIVACY = {
    "slug": "datenschutz",
    "de": {
        "title": "Datenschutzerklärung",
        "body": (
            "<h2>Wer für Ihre Daten verantwortlich ist</h2>"
            "<p>Verantwortlich für die Verarbeitung Ihrer Daten auf dieser Demo-Website ist die fiktive "
            "CRM-Vergleich Redaktion, Musterstraße 1, 10115 Berlin.</p>"
            "<h2>Wofür wir Ihre Angaben aus der CRM-Auswahl nutzen</h2>"
            "<p>Ihre Antworten und Kontaktdaten verwenden wir ausschließlich, um Ihre Anfrage zu bearbeiten "
            "und Ihnen eine Auswahl passender CRM-Anbieter zu schicken. Rechtsgrundlage ist Ihre Einwilligung "
            "(Art. 6 Abs. 1 lit. a DSGVO), die Sie jederzeit widerrufen können.</p>"
            "<h2>Wie lange wir Ihre Daten speichern</h2>"
            "<p>Wir löschen Ihre Anfrage, sobald sie erledigt ist, spätestens nach Ablauf der im System "
            "eingestellten Aufbewahrungsfrist. Ihre IP-Adresse speichern wir nicht.</p>"
            "<h2>Ihre Rechte</h2>"
            "<p>Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der Verarbeitung "
            "sowie auf Datenübertragbarkeit. Schreiben Sie uns dazu einfach eine E-Mail.</p>"
        ),
    },
    "en": {
        "title": "Privacy policy",
        "body": (
            "<h2>Who is responsible for your data</h2>"
            "<p>The controller for the processing of your data on this demo website is the fictitious "
            "CRM comparison editorial team, Musterstraße 1, 10115 Berlin.</p>"
            "<h2>What we use your answers from the CRM selection for</h2>"
            "<p>We use your answers and contact details only to handle your request and to send you a "
            "selection of suitable CRM vendors. The legal basis is your consent (Art. 6(1)(a) GDPR), which "
            "you can withdraw at any time.</p>"
            "<h2>How long we keep your data</h2>"
            "<p>We delete your request once it has been dealt with, at the latest when the retention period "
            "set in the system ends. We do not store your IP address.</p>"
            "<h2>Your rights</h2>"
            "<p>You have the right of access, rectification, erasure and restriction of processing, and the "
            "right to data portability. Just send us an e-mail.</p>"
        ),
    },
}
