"""Demo practices for `seed-demo`: 33 write-ups by the eight demo institutions, each in its own language
(two also translated into English), with a few comments. Seeding adds only what is missing: practices are
matched by their external_ref ("demo-001"...), comments by their practice and text."""
from __future__ import annotations

from sqlalchemy import select

from network.auth.models import User
from network.extensions import db
from network.institutions.models import Institution
from network.practices import services
from network.practices.models import DRAFT, MEMBERS, PUBLIC, PUBLISHED, Comment, Practice
from network.types import utcnow

SEVILLA, ARAD, BRUSSEL = "fundacion-familias-sevilla", "asociatia-casa-arad", "cgg-brussel"
TAMPERE, ESCH, REYKJAVIK = "perhekeskus-tampere", "maison-relais-esch", "fjolskyldumidstod-reykjavik"
THESSALONIKI, LEEDS = "kentro-oikogeneias-thessaloniki", "family-links-leeds"


def _practice(ref, institution, language, author, title, summary, *, context, target_group, methods, outcomes,
              objectives="", resources="", lessons="", sectors, types, tags, status=PUBLISHED,
              visibility=PUBLIC, translation_of=None) -> dict:
    return dict(
        external_ref=ref, institution=institution, language=language, author=author, title=title,
        summary=summary, context=context, target_group=target_group, objectives=objectives, methods=methods,
        resources=resources, outcomes=outcomes, lessons=lessons, sectors=sectors, intervention_types=types,
        tags=tags, status=status, visibility=visibility, translation_of=translation_of,
    )


PRACTICES = [
    # --- Fundación Familias en Red, Sevilla (es) ---------------------------------------------------
    _practice(
        "demo-001", SEVILLA, "es", "institution-admin@demo.example",
        "Grupos interfamiliares en el barrio de Torreblanca",
        "Cada quince días, entre ocho y doce familias se reúnen con dos profesionales para compartir cómo "
        "resuelven los problemas de la vida diaria. Las familias aprenden unas de otras y tejen una red de "
        "apoyo que se mantiene cuando termina la intervención.",
        context="El programa nació en 2015 en el **Centro de Apoyo Familiar de Torreblanca**, un barrio de "
        "Sevilla con alto desempleo y muchas familias derivadas por los servicios sociales comunitarios.\n\n"
        "Se inspira en los *grupos multifamiliares* de la terapia familiar sistémica.",
        target_group="Familias con hijos e hijas menores de 16 años en situación de riesgo social, derivadas "
        "por los servicios sociales o que llegan por iniciativa propia.",
        objectives="- Romper el aislamiento de las familias\n"
        "- Reforzar las competencias parentales a partir de la experiencia de otras familias\n"
        "- Crear una red de apoyo informal en el barrio",
        methods="1. **Entrevista inicial** con cada familia en su casa.\n"
        "2. **Sesiones quincenales** de dos horas: una hora con toda la familia y otra en subgrupos "
        "(personas adultas, adolescentes, niños y niñas).\n"
        "3. Cada sesión parte de un tema que proponen las propias familias: horarios, deberes, conflictos, "
        "dinero.\n"
        "4. **Sesión de cierre** y encuentro de seguimiento a los seis meses.",
        resources="Dos profesionales (trabajo social y psicología), una sala amplia, servicio de guardería y "
        "merienda. Coste aproximado: 9.000 € por grupo y año.",
        outcomes="Entre 2019 y 2024 participaron 146 familias. El 78 % completó el ciclo y, según el "
        "cuestionario de apoyo social, el apoyo percibido aumentó de media un 30 %. Varias familias siguen "
        "quedando por su cuenta.",
        lessons="La merienda compartida importa tanto como el tema. Conviene que los mismos profesionales "
        "conduzcan todo el ciclo y que las familias veteranas ayuden a acoger a las nuevas.",
        sectors=["social"], types=["family", "group", "community"],
        tags=["interfamily groups", "parenting", "social risk", "support networks"],
    ),
    _practice(
        "demo-002", SEVILLA, "en", "coordinator@demo.example",
        "Interfamily groups in the Torreblanca neighbourhood",
        "Every fortnight, eight to twelve families meet with two professionals to share how they deal with "
        "everyday problems. Families learn from one another and build a support network that lasts beyond "
        "the intervention.",
        context="The programme began in 2015 at the **Torreblanca Family Support Centre**, in a district of "
        "Seville with high unemployment where many families are referred by community social services.\n\n"
        "It draws on the *multi-family groups* of systemic family therapy.",
        target_group="Families with children under 16 at social risk, referred by social services or coming "
        "on their own initiative.",
        objectives="- Break the families' isolation\n"
        "- Strengthen parenting skills through the experience of other families\n"
        "- Build an informal support network in the neighbourhood",
        methods="1. **First interview** with each family at home.\n"
        "2. **Fortnightly sessions** of two hours: one hour with the whole family, one in subgroups (adults, "
        "teenagers, children).\n"
        "3. Each session starts from a topic the families propose: routines, homework, conflicts, money.\n"
        "4. **Closing session** and a follow-up meeting six months later.",
        resources="Two professionals (social work and psychology), a large room, childcare and an afternoon "
        "snack. About €9,000 per group per year.",
        outcomes="Between 2019 and 2024, 146 families took part. 78 % completed the cycle and, on the social "
        "support questionnaire, perceived support rose by 30 % on average. Several families still meet on "
        "their own.",
        lessons="The shared snack matters as much as the topic. The same professionals should lead the whole "
        "cycle, and experienced families can help welcome new ones.",
        sectors=["social"], types=["family", "group", "community"],
        tags=["interfamily groups", "parenting", "social risk", "support networks"],
        translation_of="demo-001",
    ),
    _practice(
        "demo-003", SEVILLA, "es", "institution-admin@demo.example",
        "Visitas domiciliarias en los primeros mil días",
        "Una trabajadora social y una enfermera visitan en casa a familias vulnerables desde el embarazo "
        "hasta que el bebé cumple dos años, para acompañar la crianza, detectar a tiempo el malestar "
        "emocional de madres y padres y conectar a la familia con los recursos del barrio.",
        context="El proyecto se coordina desde 2018 con el centro de salud de la zona. Muchas familias no "
        "acuden a los servicios hasta que la situación es grave; la visita a domicilio llega antes.",
        target_group="Embarazadas y familias con bebés de 0 a 24 meses con factores de riesgo: aislamiento, "
        "depresión perinatal, vivienda precaria o maternidad muy temprana.",
        objectives="- Favorecer el vínculo temprano\n- Detectar y derivar la depresión perinatal\n"
        "- Reducir el aislamiento social de la familia",
        methods="- Entre 12 y 20 visitas de una hora, más frecuentes en los primeros meses\n"
        "- Observación de la interacción con el bebé y *vídeo-feedback* con permiso de la familia\n"
        "- Cribado con la **Escala de Edimburgo** en el tercer trimestre y a los dos meses del parto\n"
        "- Acompañamiento a la primera cita en los recursos de la zona",
        resources="Media jornada de trabajo social y media de enfermería por cada 25 familias; un coche "
        "compartido; una tableta para el vídeo-feedback.",
        outcomes="De las 63 familias atendidas en 2023, 58 mantuvieron las visitas hasta el final. Se "
        "detectaron 11 casos de depresión perinatal, todos derivados a salud mental en menos de dos semanas.",
        lessons="Pedir siempre permiso antes de grabar y enseñar primero los momentos que salen bien. La "
        "coordinación semanal con la matrona evita visitas duplicadas.",
        sectors=["social", "mental_health"], types=["family", "individual"],
        tags=["home visits", "early childhood", "perinatal mental health"],
    ),
    _practice(
        "demo-004", SEVILLA, "es", "coordinator@demo.example",
        "Apoyo entre iguales para madres y padres con problemas de salud mental",
        "Madres y padres que han vivido un trastorno mental y se han formado como agentes de apoyo mutuo "
        "acompañan a otras familias en la misma situación: un grupo mensual, acompañamiento individual y "
        "ayuda para hablar de la enfermedad con los hijos.",
        context="Surgió en 2020 de la colaboración entre la fundación y una asociación de personas usuarias "
        "de salud mental. Las familias nos decían que lo que más les ayudaba era hablar con alguien que "
        "«hubiera pasado por lo mismo».",
        target_group="Madres y padres con un diagnóstico de trastorno mental que tienen hijos menores a "
        "cargo.",
        objectives="- Reducir el estigma y la soledad\n- Ayudar a explicar la enfermedad a los hijos según "
        "su edad\n- Preparar un plan de crisis que proteja a los niños",
        methods="- Formación de 40 horas para los agentes de apoyo mutuo, con supervisión mensual\n"
        "- **Grupo mensual** de madres y padres, con actividades paralelas para los niños\n"
        "- Acompañamiento individual a citas médicas y reuniones en el colegio\n"
        "- Elaboración por escrito de un *plan de crisis familiar*",
        resources="Cuatro agentes de apoyo mutuo contratados a tiempo parcial, una psicóloga supervisora y "
        "una sala con espacio infantil.",
        outcomes="31 familias en 2023. Al terminar, el 90 % de las que tenían hijos mayores de seis años "
        "había hablado con ellos de la enfermedad; 24 tenían un plan de crisis firmado.",
        lessons="Los agentes de apoyo mutuo necesitan un contrato y supervisión, no solo buena voluntad. "
        "También hay que prever sus propias recaídas.",
        sectors=["mental_health", "social"], types=["peer", "group", "family"],
        tags=["peer support", "parental mental health", "recovery"], visibility=MEMBERS,
    ),
    _practice(
        "demo-005", SEVILLA, "es", "institution-admin@demo.example",
        "Mapa comunitario de recursos para familias",
        "Familias, vecinos y profesionales recorren el barrio para identificar todo lo que puede ayudar a "
        "criar, desde la biblioteca hasta la vecina que cuida niños. El resultado es un mapa en papel y en "
        "línea que se actualiza dos veces al año.",
        context="Los servicios sociales conocían sus propios recursos, pero no los del barrio. En 2021 "
        "empezamos a mapearlos con las familias de los grupos interfamiliares.",
        target_group="Familias del distrito Este-Alcosa-Torreblanca y profesionales que trabajan con ellas.",
        objectives="- Hacer visibles los recursos formales e informales\n"
        "- Reconocer a las familias como conocedoras de su barrio",
        methods="1. Paseos de mapeo en grupos de 6 a 8 personas, con fotos y notas.\n"
        "2. Taller de puesta en común sobre un mapa grande del barrio.\n"
        "3. Una ficha por recurso: horario, coste, cómo llegar, quién lo recomienda.\n"
        "4. Publicación en un mapa en línea y en un folleto.",
        resources="Una trabajadora social (4 horas a la semana), voluntariado e impresión del folleto "
        "(600 € al año).",
        outcomes="El mapa recoge 87 recursos, 40 de ellos ausentes de la guía oficial. En 2024 el mapa en "
        "línea tuvo 2.300 visitas y los profesionales lo usan en la primera entrevista.",
        lessons="Mantenerlo al día cuesta más que hacerlo: hay que fijar las fechas de revisión desde el "
        "principio.",
        sectors=["social"], types=["community", "digital"],
        tags=["community mapping", "community resources", "participation"],
    ),
    _practice(
        "demo-006", SEVILLA, "es", "coordinator@demo.example",
        "Escuela de familias en línea",
        "Ciclo de ocho sesiones por videollamada para madres y padres que no pueden venir al centro por sus "
        "horarios de trabajo: límites, rutinas, pantallas y emociones.",
        context="Durante la pandemia probamos sesiones en línea y muchas familias pidieron mantenerlas. "
        "Estamos preparando la primera edición estable.",
        target_group="Madres y padres de niños de 6 a 12 años con horarios laborales incompatibles con los "
        "grupos presenciales.",
        methods="- Ocho sesiones semanales de 75 minutos, a última hora de la tarde\n"
        "- Grupos de 12 personas como máximo, con la cámara opcional\n"
        "- Materiales breves por mensajería entre sesiones",
        outcomes="Pendiente de evaluación: la primera edición está prevista para el otoño.",
        sectors=["educational", "social"], types=["digital", "group"], tags=["parenting", "online groups"],
        status=DRAFT,
    ),
    # --- Asociația Casa Deschisă, Arad (ro) ----------------------------------------------------------
    _practice(
        "demo-007", ARAD, "ro", "professional@demo.example",
        "Centru de zi după școală: sprijin la teme și mediere școlară",
        "Copiii din familii cu venituri mici vin după ore la centru, unde primesc o masă caldă, ajutor la "
        "teme și activități de timp liber. Un mediator școlar ține legătura dintre familie, școală și "
        "centru.",
        context="Centrul funcționează din 2012 în cartierul Aradul Nou. Mulți părinți lucrează în ture sau "
        "în străinătate, iar copiii rămân singuri după școală.",
        target_group="Copii de 7–14 ani din familii cu venituri mici, inclusiv copii romi și copii ai căror "
        "părinți lucrează în străinătate.",
        objectives="- Prevenirea abandonului școlar\n- Rezultate mai bune la citire și matematică\n"
        "- Implicarea părinților în viața școlii",
        methods="- Program zilnic între 12:00 și 17:00: masă caldă, teme, activități\n"
        "- Lucru pe grupe mici, cu **voluntari studenți** de la Universitatea „Aurel Vlaicu”\n"
        "- Întâlnire lunară cu părinții\n"
        "- Mediatorul școlar participă la consiliile clasei",
        resources="Doi educatori, un mediator școlar, 10–15 voluntari, o sală și o bucătărie; aproximativ "
        "60.000 de lei pe an.",
        outcomes="În anul școlar 2023–2024 au frecventat centrul 48 de copii; 46 au promovat clasa, iar "
        "absențele nemotivate au scăzut cu 40 % față de anul anterior.",
        lessons="Masa caldă îi aduce pe copii; relația cu mediatorul îi ține în școală. Părinții vin mai "
        "ușor "
        "la o serbare decât la o ședință.",
        sectors=["educational", "social"], types=["group", "community"],
        tags=["after-school", "school dropout", "roma", "volunteers"],
    ),
    _practice(
        "demo-008", ARAD, "ro", "professional@demo.example",
        "Grupuri de părinți „Împreună e mai ușor”",
        "Un ciclu de zece întâlniri săptămânale în care părinții discută despre disciplina pozitivă, "
        "comunicarea cu copiii și gestionarea stresului, pornind de la situații din propria viață.",
        context="Programul a pornit în 2017, la cererea părinților copiilor din centrul de zi. Se bazează pe "
        "principiile disciplinei pozitive, adaptate pentru părinți cu puțini ani de școală.",
        target_group="Părinți și bunici care cresc copii de 2–12 ani, mulți dintre ei singuri sau cu "
        "venituri "
        "mici.",
        objectives="- Înlocuirea pedepselor fizice cu alternative\n- Mai multă încredere în rolul de "
        "părinte\n"
        "- Prietenii între părinți",
        methods="1. Zece întâlniri de 90 de minute, cu supraveghere pentru copii.\n"
        "2. Fiecare întâlnire pornește de la o situație reală adusă de un părinte.\n"
        "3. Jocuri de rol și o „temă pentru acasă”: un lucru mic de încercat în familie.\n"
        "4. O întâlnire de revedere după trei luni.",
        resources="Un psiholog și un asistent social, o sală, o gustare și materiale tipărite simple.",
        outcomes="Între 2017 și 2024 au participat 210 părinți. La final, 72 % spun că folosesc mai rar "
        "pedepsele fizice; două grupuri continuă să se întâlnească singure.",
        lessons="Bunicii sunt o resursă importantă și merită invitați de la început. Materialele trebuie să "
        "aibă puțin text și multe imagini.",
        sectors=["social", "educational"], types=["group", "family"],
        tags=["parenting", "positive discipline", "grandparents"],
    ),
    _practice(
        "demo-009", ARAD, "ro", "professional@demo.example",
        "Asistență socială în școală pentru prevenirea abandonului școlar",
        "O asistentă socială a asociației lucrează două zile pe săptămână în trei școli gimnaziale: "
        "identifică elevii cu absențe repetate, vizitează familiile și construiește împreună cu dirigintele "
        "un plan de sprijin.",
        context="În județul Arad, abandonul la gimnaziu depășește media națională. Școlile nu au asistenți "
        "sociali, iar consilierul școlar are în grijă peste 800 de elevi.",
        target_group="Elevi din clasele V–VIII cu peste 20 de absențe nemotivate pe semestru și familiile "
        "lor.",
        objectives="- Reintegrarea elevilor cu risc de abandon\n"
        "- O legătură stabilă între școală, familie și serviciile sociale",
        methods="- Lista lunară a elevilor cu absențe, primită de la școală\n"
        "- Vizită la domiciliu în cel mult două săptămâni\n"
        "- **Plan individual de sprijin** semnat de elev, părinte și diriginte\n"
        "- Trimitere către centrul de zi, consiliere sau ajutoare sociale",
        resources="O asistentă socială cu normă întreagă, transport și un acord de parteneriat cu "
        "Inspectoratul Școlar Județean.",
        outcomes="În 2023–2024 au fost urmăriți 57 de elevi; 41 și-au redus absențele la mai puțin de "
        "jumătate, iar 6 elevi care abandonaseră s-au reînscris.",
        lessons="Vizita acasă schimbă totul: familia vede că școala o caută, nu doar o sancționează.",
        sectors=["educational", "social"], types=["individual", "family"],
        tags=["school social work", "school dropout", "home visits"],
    ),
    _practice(
        "demo-010", ARAD, "ro", "professional@demo.example",
        "Muncă de stradă cu tinerii din cartierul Micălaca",
        "Doi lucrători de stradă îi întâlnesc seara pe tineri acolo unde își petrec timpul, îi ascultă și îi "
        "ajută să ajungă la serviciile de care au nevoie: școală, loc de muncă, sănătate.",
        context="Micălaca are multe blocuri cu familii tinere și puține spații pentru adolescenți. Din 2021, "
        "școlile și poliția locală semnalau conflicte între grupuri de tineri.",
        target_group="Tineri de 14–21 de ani care nu merg la școală și nu folosesc niciun serviciu, "
        "întâlniți "
        "în parcuri, în fața blocurilor și pe terenurile de sport.",
        methods="- Trei seri pe săptămână în cartier, mereu în aceleași locuri\n"
        "- Sportul ca punct de pornire al discuției\n"
        "- Însoțire la servicii: dispensar, agenția de ocupare, programul „A doua șansă”\n"
        "- Supervizare săptămânală a echipei",
        outcomes="În 2023 au fost contactați 96 de tineri; 34 au fost însoțiți cel puțin o dată la un "
        "serviciu, iar 9 s-au înscris la „A doua șansă”.",
        lessons="Încrederea se câștigă în luni, nu în săptămâni. Regula de aur: nu promite ce nu poți face.",
        sectors=["social"], types=["community", "individual"], tags=["street work", "youth", "outreach"],
        visibility=MEMBERS,
    ),
    # --- Centrum voor Gezinsbegeleiding Brussel (nl, fr) -----------------------------------------------
    _practice(
        "demo-011", BRUSSEL, "nl", "evaluator@demo.example",
        "Outreachend gezinswerk bij multiprobleemgezinnen",
        "Een gezinsbegeleider en een psychiatrisch verpleegkundige gaan wekelijks op huisbezoek bij gezinnen "
        "die de weg naar de hulpverlening niet (meer) vinden. Ze beginnen bij wat het gezin zelf het "
        "dringendste probleem vindt en bouwen van daaruit een netwerk rond het gezin.",
        context="Veel Brusselse gezinnen kampen tegelijk met armoede, psychische problemen en slechte "
        "huisvesting. Klassieke ambulante hulp bereikt hen slecht: afspraken worden gemist en dossiers "
        "afgesloten.",
        target_group="Gezinnen met minderjarige kinderen in het Brussels Gewest bij wie meerdere problemen "
        "tegelijk spelen en eerdere hulp is vastgelopen.",
        objectives="- Het gezin opnieuw verbinden met hulp\n- Crisissen en uithuisplaatsingen voorkomen\n"
        "- Ouders versterken in hun eigen regie",
        methods="1. Eerste contact thuis, binnen vijf werkdagen na de aanmelding.\n"
        "2. Samen met het gezin een **probleemlijst** maken en één prioriteit kiezen.\n"
        "3. Wekelijkse huisbezoeken gedurende 6 tot 18 maanden.\n"
        "4. Netwerkoverleg met school, OCMW en geestelijke gezondheidszorg.",
        resources="Een duo van een gezinsbegeleider en een psychiatrisch verpleegkundige per 12 gezinnen, "
        "flexibele werkuren en een tolk op afroep.",
        outcomes="Van de 54 gezinnen die in 2022–2023 werden begeleid, waren er bij de afsluiting 43 "
        "aangesloten bij reguliere hulp. Bij 5 van de 7 gezinnen waar een uithuisplaatsing dreigde, kon die "
        "worden vermeden.",
        lessons="Begin bij wat het gezin belangrijk vindt, ook als dat de verwarming is en niet de "
        "opvoeding.",
        sectors=["social", "mental_health"], types=["family", "individual"],
        tags=["outreach", "multi-problem families", "home visits"],
    ),
    _practice(
        "demo-012", BRUSSEL, "nl", "evaluator@demo.example",
        "Eigen Kracht-conferentie: de familie maakt zelf het plan",
        "Bij zorgen over de veiligheid van een kind nodigt een onafhankelijke coördinator familie, vrienden "
        "en buren uit. Na de uitleg van de hulpverleners overleggen zij zonder professionals en maken ze "
        "zelf een plan, dat daarna wordt besproken en aanvaard.",
        context="Sinds 2016 bieden wij de Eigen Kracht-conferentie aan (een familiegroepsconferentie naar "
        "Nieuw-Zeelands model), samen met de Brusselse jeugdhulp.",
        target_group="Gezinnen met kinderen over wier veiligheid of opvoeding de jeugdhulp of de ouders zelf "
        "zich zorgen maken.",
        objectives="- Beslissingen terugleggen bij de familie\n- Het netwerk rond het kind zichtbaar maken "
        "en inzetten",
        methods="1. Een **onafhankelijke coördinator** (een getrainde burger, geen hulpverlener) bereidt de "
        "conferentie 4 tot 6 weken voor.\n"
        "2. Deel 1: informatie van de hulpverleners.\n"
        "3. Deel 2: **besloten overleg** van de familie, zonder professionals.\n"
        "4. Deel 3: het plan wordt voorgesteld en aanvaard als het de veiligheid van het kind waarborgt.\n"
        "5. Evaluatie na drie maanden.",
        resources="Een pool van 15 coördinatoren (vergoeding per conferentie), een zaal, een maaltijd en "
        "tolken.",
        outcomes="72 conferenties tussen 2016 en 2023; in 68 gevallen werd een plan aanvaard. Gemiddeld "
        "namen 11 mensen deel, van wie 8 uit het eigen netwerk.",
        lessons="De voorbereiding is het eigenlijke werk: hoe meer mensen de coördinator vindt, hoe sterker "
        "het plan.",
        sectors=["social"], types=["family", "community"],
        tags=["family group conferencing", "child protection", "support networks"],
    ),
    _practice(
        "demo-013", BRUSSEL, "fr", "evaluator@demo.example",
        "Groupe de parole pour enfants de parents ayant des troubles psychiques",
        "Des enfants de 8 à 12 ans dont un parent souffre de troubles psychiques se retrouvent six mercredis "
        "après-midi pour comprendre la maladie, dire ce qu'ils vivent et rencontrer d'autres enfants dans la "
        "même situation.",
        context="Ces enfants restent souvent invisibles pour les services. Le groupe s'inspire des "
        "programmes européens pour les enfants de parents atteints de troubles psychiques (KOPP).",
        target_group="Enfants de 8 à 12 ans vivant à Bruxelles avec un parent qui souffre de dépression, "
        "d'un trouble bipolaire ou d'une psychose.",
        objectives="- Mettre des mots sur la maladie du parent\n- Diminuer la culpabilité et l'isolement\n"
        "- Identifier une personne de confiance",
        methods="- Entretien préalable avec le parent et l'enfant\n"
        "- Six séances de deux heures : jeux, dessins, petits films, goûter\n"
        "- Une séance commune parents-enfants à la fin\n"
        "- Chaque enfant repart avec son **« plan de secours »** illustré",
        resources="Deux animateurs (une psychologue et un assistant social), une salle et du matériel de "
        "dessin.",
        outcomes="Onze groupes depuis 2019, 74 enfants. Au questionnaire final, 9 enfants sur 10 disent "
        "savoir à qui parler quand leur parent va mal.",
        lessons="Rien ne se fait sans l'accord et la confiance du parent malade : l'entretien préalable est "
        "indispensable.",
        sectors=["mental_health"], types=["group", "peer"],
        tags=["children of parents with mental illness", "parental mental health", "groups for children"],
    ),
    _practice(
        "demo-014", BRUSSEL, "fr", "evaluator@demo.example",
        "Permanence sociale dans une maison médicale de quartier",
        "Une assistante sociale du centre tient une permanence hebdomadaire dans une maison médicale "
        "d'Anderlecht. Les médecins y orientent directement les familles en difficulté, sans rendez-vous ni "
        "liste d'attente.",
        context="Beaucoup de familles confient leurs difficultés à leur médecin mais n'arrivent jamais "
        "jusqu'aux services sociaux.",
        target_group="Familles suivies par la maison médicale qui vivent dans la précarité, ont des dettes "
        "ou "
        "des problèmes de logement, ou s'épuisent dans leur rôle de parent.",
        methods="- Permanence chaque mardi matin dans les locaux de la maison médicale\n"
        "- Orientation directe par le médecin, avec l'accord du patient\n"
        "- Réunion mensuelle entre l'équipe médicale et l'assistante sociale\n"
        "- Suivi au centre quand c'est nécessaire",
        outcomes="En 2023 : 138 consultations pour 71 familles. Le délai moyen entre la demande du médecin "
        "et "
        "le premier contact est passé de cinq semaines à six jours.",
        lessons="Être sur place, dans la salle d'attente, compte plus que n'importe quelle brochure.",
        sectors=["social", "mental_health"], types=["individual", "community"],
        tags=["primary care", "access to services", "poverty"], visibility=MEMBERS,
    ),
    # --- Perhekeskus Tampere (fi) ------------------------------------------------------------------
    _practice(
        "demo-015", TAMPERE, "fi", "aino.virtanen@demo.example",
        "Vertaisryhmä vauvaperheiden vanhemmille",
        "Vauvaperheiden vanhemmat tapaavat perhekeskuksessa kerran viikossa kahdeksan kertaa. Ryhmää "
        "ohjaavat perhetyöntekijä ja koulutettu vertaisvanhempi. Tapaamisissa jaetaan arjen kokemuksia, ja "
        "vauvat ovat mukana.",
        context="Perhekeskuksessa huomattiin, että moni ensimmäistä lastaan hoitava vanhempi kokee olevansa "
        "yksin, etenkin jos oma lähiverkosto asuu toisella paikkakunnalla.",
        target_group="Alle vuoden ikäisten vauvojen vanhemmat, erityisesti ne, joilla on vähän "
        "tukiverkostoa.",
        objectives="- Vähentää yksinäisyyttä\n- Vahvistaa vanhemman ja vauvan vuorovaikutusta\n"
        "- Synnyttää pysyviä ystävyyssuhteita",
        methods="1. Kahdeksan viikoittaista tapaamista, puolitoista tuntia kerrallaan.\n"
        "2. Joka kerralla oma teema: uni, itku, parisuhde, oma jaksaminen.\n"
        "3. **Vertaisvanhempi** kertoo omista kokemuksistaan.\n"
        "4. Yhteinen kahvihetki ja vauvahieronta.",
        resources="Perhetyöntekijä, palkkioton mutta kulukorvauksen saava vertaisvanhempi, tila "
        "lattiamattoineen ja kahvitarjoilu.",
        outcomes="Vuonna 2023 ryhmiä oli kuusi, ja niihin osallistui 52 vanhempaa. Loppukyselyssä 85 % koki "
        "saaneensa ryhmästä tukea, ja neljä ryhmää jatkoi tapaamisia omatoimisesti.",
        lessons="Isät osallistuvat, kun heidät kutsutaan nimeltä. Iltaryhmä tavoittaa työssäkäyvät "
        "vanhemmat.",
        sectors=["social"], types=["peer", "group"],
        tags=["peer support", "early childhood", "fathers", "loneliness"],
    ),
    _practice(
        "demo-016", TAMPERE, "fi", "aino.virtanen@demo.example",
        "Koulukuraattorin avoimet vastaanotot ja luokkavartit",
        "Koulukuraattori pitää avointa vastaanottoa joka päivä välitunnin aikaan ja käy jokaisessa luokassa "
        "kerran kuukaudessa vartin mittaisella luokkavartilla. Oppilaiden on helpompi tulla puhumaan, kun "
        "kuraattori on jo tuttu.",
        context="Tampereen yhtenäiskouluissa oppilaat ohjattiin kuraattorille yleensä vasta, kun ongelmat "
        "olivat jo kasvaneet suuriksi.",
        target_group="Peruskoulun oppilaat luokilla 1–9 sekä heidän vanhempansa ja opettajansa.",
        objectives="- Madaltaa kynnystä hakea apua\n- Tunnistaa kiusaaminen ja poissaolot varhain",
        methods="- Avoin vastaanotto joka päivä klo 10.15–10.45 ilman ajanvarausta\n"
        "- **Luokkavartit**: tunteet, kaveritaidot, kiusaaminen\n"
        "- Viesti vanhemmille jokaisen luokkavartin aiheesta\n"
        "- Yhteistyö terveydenhoitajan kanssa oppilashuoltoryhmässä",
        resources="Yksi koulukuraattori kahta koulua kohden ja pieni huone ruokalan vieressä.",
        outcomes="Lukuvuonna 2023–2024 avoimella vastaanotolla kävi 412 oppilasta. Oma-aloitteisten "
        "yhteydenottojen määrä kaksinkertaistui edelliseen vuoteen verrattuna.",
        lessons="Huoneen sijainti ratkaisee: ruokalan vieressä, ei rehtorin käytävällä.",
        sectors=["educational", "social"], types=["individual", "group"],
        tags=["school social work", "bullying", "school attendance"],
    ),
    _practice(
        "demo-017", TAMPERE, "fi", "aino.virtanen@demo.example",
        "Lapset puheeksi -keskustelu perhekeskuksessa",
        "Kun vanhemmalla on masennus tai muu psyykkinen sairaus, työntekijä käy hänen kanssaan kaksi "
        "jäsenneltyä keskustelua lapsen arjesta: mikä sujuu, mistä on huolta ja miten lasta voi tukea "
        "kotona, päiväkodissa ja koulussa.",
        context="Lapset puheeksi on suomalainen, tutkittu menetelmä. Perhekeskus otti sen käyttöön vuonna "
        "2019 yhdessä aikuisten mielenterveyspalvelujen kanssa.",
        target_group="Vanhemmat, joilla on mielenterveyden haasteita, ja heidän alaikäiset lapsensa.",
        objectives="- Tehdä lapsen arki näkyväksi vanhemman hoidossa\n"
        "- Vahvistaa lapsen suojaavia tekijöitä",
        methods="1. Ensimmäinen keskustelu: lapsen vahvuudet ja haavoittuvuudet arjen eri alueilla.\n"
        "2. Vanhempi keskustelee lapsen kanssa kotona.\n"
        "3. Toinen keskustelu: **tukisuunnitelma** – mitä tehdään kotona, päiväkodissa ja koulussa.\n"
        "4. Tarvittaessa verkostoneuvonpito.",
        resources="Menetelmäkoulutettu työntekijä (kahden päivän koulutus) ja noin kolme tuntia työaikaa "
        "perhettä kohden.",
        outcomes="Vuosina 2019–2024 keskusteluja käytiin 187 perheen kanssa. Vanhemmista 80 % kertoi "
        "puhuvansa sairaudesta lapselle avoimemmin keskustelujen jälkeen.",
        lessons="Menetelmä toimii parhaiten, kun aikuispsykiatrian työntekijät ottavat sen puheeksi jo "
        "hoidon "
        "alussa.",
        sectors=["mental_health", "social"], types=["family"],
        tags=["parental mental health", "prevention", "children of parents with mental illness"],
    ),
    _practice(
        "demo-018", TAMPERE, "fi", "aino.virtanen@demo.example",
        "Perhekahvila maahan muuttaneille perheille",
        "Viikoittainen perhekahvila, jossa maahan muuttaneet vanhemmat ja lapset tutustuvat toisiinsa, "
        "harjoittelevat suomea arjen tilanteissa ja saavat tietoa palveluista.",
        context="Suunnittelemme kahvilaa yhdessä kotoutumispalvelujen ja seurakunnan kanssa. Ensimmäinen "
        "kokeilu alkaa syksyllä.",
        target_group="Hervannassa asuvat maahan muuttaneet vanhemmat, joilla on alle kouluikäisiä lapsia.",
        methods="- Kerran viikossa kaksi tuntia\n- Selkosuomea ja tarvittaessa tulkki\n"
        "- Vierailijoita neuvolasta, varhaiskasvatuksesta ja kirjastosta",
        outcomes="Tuloksia ei vielä ole: kokeilu alkaa syksyllä.",
        sectors=["social", "educational"], types=["community", "group"],
        tags=["migrant families", "family café", "language learning"], status=DRAFT,
    ),
    # --- Maison Relais Esch (fr) --------------------------------------------------------------------
    _practice(
        "demo-019", ESCH, "fr", "marc.weber@demo.example",
        "Ateliers parents-enfants multilingues à la Maison Relais",
        "Un samedi matin sur deux, parents et enfants de 3 à 8 ans participent à des ateliers de lecture, de "
        "cuisine et de jeux où chaque famille utilise sa propre langue à côté du luxembourgeois et du "
        "français.",
        context="À Esch-sur-Alzette, plus de la moitié des enfants accueillis parlent à la maison une autre "
        "langue que le luxembourgeois : portugais, cap-verdien, italien, arabe… Beaucoup de parents se "
        "sentent tenus à l'écart de l'éducation de leurs enfants.",
        target_group="Familles des enfants de 3 à 8 ans accueillis à la Maison Relais, en priorité les "
        "familles arrivées récemment.",
        objectives="- Valoriser les langues familiales\n- Renforcer le lien entre les parents et la "
        "structure "
        "d'accueil\n- Soutenir l'éveil au langage",
        methods="- Ateliers de deux heures, douze par an\n"
        "- **Lecture plurilingue** : le même album lu en trois ou quatre langues par les parents\n"
        "- Cuisine : la recette d'une famille, écrite ensemble en plusieurs langues\n"
        "- Jeux de société et chansons",
        resources="Deux éducateurs, des parents bénévoles, une cuisine pédagogique et 1 500 € par an pour "
        "l'achat de livres.",
        outcomes="En 2023-2024, 63 familles sont venues au moins une fois, dont 28 à plus de la moitié des "
        "ateliers. Les éducateurs constatent que les parents viennent bien plus souvent aux entretiens.",
        lessons="Demander aux parents d'apporter quelque chose (une histoire, une recette) marche mieux que "
        "de les inviter à écouter.",
        sectors=["educational", "social"], types=["family", "group"],
        tags=["multilingualism", "early literacy", "parental involvement"],
    ),
    _practice(
        "demo-020", ESCH, "fr", "marc.weber@demo.example",
        "Aide aux devoirs avec les parents",
        "Deux fois par semaine, les enfants de l'école fondamentale font leurs devoirs à la Maison Relais "
        "avec "
        "un éducateur ; les parents rejoignent la dernière demi-heure pour voir comment accompagner leur "
        "enfant à la maison.",
        context="Les parents qui ne maîtrisent pas l'allemand, langue de l'alphabétisation au Luxembourg, se "
        "sentent souvent incapables d'aider leurs enfants.",
        target_group="Enfants des cycles 2 à 4 de l'école fondamentale et leurs parents.",
        methods="- Petits groupes de six enfants par éducateur\n"
        "- Les trente dernières minutes avec les parents : ce qui a été fait, comment poser des questions "
        "sans connaître la langue\n"
        "- Une fiche illustrée chaque semaine pour les parents\n"
        "- Contacts réguliers avec les enseignants",
        outcomes="42 enfants en 2023-2024 ; 80 % des parents sont venus au moins une fois par mois. Les "
        "enseignants signalent moins de devoirs non faits.",
        lessons="Montrer aux parents qu'ils peuvent aider sans connaître la langue : en posant des questions "
        "et en encourageant.",
        sectors=["educational"], types=["group", "family"],
        tags=["homework support", "parental involvement", "multilingualism"],
    ),
    _practice(
        "demo-021", ESCH, "fr", "marc.weber@demo.example",
        "Médiation interculturelle entre les familles et l'école",
        "Une médiatrice interculturelle qui parle portugais, cap-verdien et français accompagne les familles "
        "aux réunions avec l'école et aide les enseignants à comprendre la situation des familles.",
        context="Les décisions d'orientation scolaire se prenaient souvent sans que les parents lusophones "
        "aient compris les enjeux.",
        target_group="Familles lusophones et cap-verdiennes dont les enfants rencontrent des difficultés "
        "scolaires, et leurs enseignants.",
        methods="- Accompagnement aux réunions entre parents et enseignants\n"
        "- Traduction des courriers importants\n"
        "- Séances d'information en portugais sur le système scolaire luxembourgeois\n"
        "- Rencontres avec les équipes pédagogiques",
        outcomes="En 2023, 54 familles accompagnées ; aucune orientation scolaire n'a été décidée en "
        "l'absence des parents (contre 11 l'année précédente).",
        lessons="La médiatrice doit rester neutre : ni avocate de la famille, ni porte-parole de l'école.",
        sectors=["educational", "social"], types=["family", "community"],
        tags=["intercultural mediation", "school", "migrant families"], visibility=MEMBERS,
    ),
    # --- Fjölskyldumiðstöð Reykjavíkur (is, en) -------------------------------------------------------
    _practice(
        "demo-022", REYKJAVIK, "is", "sigrun.jonsdottir@demo.example",
        "Jafningjastuðningur fyrir foreldra með geðrænan vanda",
        "Foreldrar sem hafa sjálfir glímt við geðrænan vanda og fengið þjálfun sem jafningjar styðja aðra "
        "foreldra í sömu stöðu, í hópi einu sinni í viku og í einstaklingsviðtölum. Markmiðið er að rjúfa "
        "einangrun og hjálpa foreldrum að ræða veikindin við börnin sín.",
        context="Fjölskyldumiðstöðin hóf verkefnið árið 2021 í samstarfi við geðþjónustu Landspítalans og "
        "notendasamtök. Foreldrar sögðu okkur að skömm kæmi í veg fyrir að þeir leituðu sér aðstoðar.",
        target_group="Foreldrar barna yngri en 18 ára sem glíma við þunglyndi, kvíða eða aðrar geðraskanir.",
        objectives="- Draga úr skömm og einangrun\n- Styrkja foreldra í uppeldishlutverkinu\n"
        "- Auðvelda samtal við börnin um veikindin",
        methods="1. **Jafningjar** fá 30 stunda þjálfun og mánaðarlega handleiðslu.\n"
        "2. Vikulegur hópur í tíu vikur, átta til tíu foreldrar.\n"
        "3. Einstaklingsviðtöl eftir þörfum.\n"
        "4. Samverustund með börnunum í lok tímabilsins.",
        resources="Tveir jafningjar í hlutastarfi, félagsráðgjafi sem veitir handleiðslu, salur og "
        "barnagæsla.",
        outcomes="Á árunum 2021–2024 tóku 64 foreldrar þátt. Í lokakönnun sögðust 87 % síður finna fyrir "
        "einangrun og 70 % höfðu rætt veikindin við börnin sín.",
        lessons="Jafningjarnir þurfa raunverulegt starf og laun, ekki bara sjálfboðavinnu, og skýra "
        "handleiðslu.",
        sectors=["mental_health"], types=["peer", "group"],
        tags=["peer support", "parental mental health", "stigma"],
    ),
    _practice(
        "demo-023", REYKJAVIK, "en", "sigrun.jonsdottir@demo.example",
        "Peer support for parents with mental-health problems",
        "Parents who have lived with mental-health problems themselves and trained as peer workers support "
        "other parents in the same situation, in a weekly group and in one-to-one meetings. The aim is to "
        "break isolation and help parents talk with their children about the illness.",
        context="The family centre started the project in 2021 with the mental-health services of "
        "Landspítali University Hospital and a service-user organisation. Parents told us that shame kept "
        "them from asking for help.",
        target_group="Parents of children under 18 who live with depression, anxiety or another mental "
        "disorder.",
        objectives="- Reduce shame and isolation\n- Support parents in their parenting role\n"
        "- Make it easier to talk with the children about the illness",
        methods="1. **Peer workers** receive 30 hours of training and monthly supervision.\n"
        "2. A weekly group for ten weeks, eight to ten parents.\n"
        "3. One-to-one meetings as needed.\n"
        "4. A get-together with the children at the end of the cycle.",
        resources="Two part-time peer workers, a social worker who supervises them, a room and childcare.",
        outcomes="From 2021 to 2024, 64 parents took part. In the final survey, 87 % said they felt less "
        "isolated and 70 % had talked with their children about the illness.",
        lessons="Peer workers need a real job and a salary, not just volunteering, and clear supervision.",
        sectors=["mental_health"], types=["peer", "group"],
        tags=["peer support", "parental mental health", "stigma"],
        translation_of="demo-022",
    ),
    _practice(
        "demo-024", REYKJAVIK, "is", "sigrun.jonsdottir@demo.example",
        "Heimavitjanir fjölskylduráðgjafa fyrsta árið eftir fæðingu",
        "Fjölskylduráðgjafi heimsækir foreldra sem eiga erfitt eftir fæðingu barns, vikulega eða aðra hverja "
        "viku fyrsta árið, í samvinnu við ljósmæður og ung- og smábarnavernd heilsugæslunnar.",
        context="Ljósmæður og hjúkrunarfræðingar í ung- og smábarnavernd tóku eftir því að sumir foreldrar "
        "mættu illa og virtust einangraðir.",
        target_group="Foreldrar ungbarna þar sem merki eru um fæðingarþunglyndi, einangrun eða mikið álag.",
        methods="- Fyrsta heimsókn innan tveggja vikna frá tilvísun\n"
        "- Allt að 20 heimsóknir á fyrsta æviári barnsins\n"
        "- Stuðningur við tengslamyndun með myndbandsleiðsögn\n"
        "- Tenging við foreldrahópa og önnur úrræði í hverfinu",
        outcomes="Árið 2023 fengu 38 fjölskyldur heimavitjanir. Hjá 29 af 33 foreldrum sem mældust með "
        "þunglyndiseinkenni í upphafi var EPDS-skorið komið undir viðmiðunarmörk við lok þjónustunnar.",
        lessons="Samstarfið við ung- og smábarnavernd er lykilatriði: þaðan koma tilvísanirnar.",
        sectors=["mental_health", "social"], types=["family", "individual"],
        tags=["home visits", "perinatal mental health", "early childhood"],
    ),
    _practice(
        "demo-025", REYKJAVIK, "is", "sigrun.jonsdottir@demo.example",
        "Samfélagskort: úrræði fyrir fjölskyldur í Breiðholti",
        "Foreldrar, ungmenni og starfsfólk kortleggja saman úrræði í Breiðholti, allt frá sundlauginni og "
        "bókasafninu til sjálfboðaliðasamtaka, og birta þau á netkorti á fimm tungumálum.",
        context="Í Breiðholti býr stór hluti innflytjenda í Reykjavík og margar fjölskyldur þekkja ekki þau "
        "úrræði sem standa þeim til boða.",
        target_group="Fjölskyldur í Breiðholti, einkum nýfluttar fjölskyldur, og starfsfólk sem vinnur með "
        "þeim.",
        methods="1. Gönguferðir um hverfið með foreldrum og ungmennum.\n"
        "2. Vinnustofur þar sem úrræðin eru skráð og metin.\n"
        "3. Netkort á íslensku, ensku, pólsku, arabísku og spænsku.\n"
        "4. Uppfærsla tvisvar á ári.",
        outcomes="Á kortinu eru 64 úrræði og það var opnað 1.900 sinnum fyrsta hálfa árið.",
        sectors=["social"], types=["community", "digital"],
        tags=["community mapping", "migrant families", "community resources"], visibility=MEMBERS,
    ),
    # --- Κέντρο Οικογένειας Θεσσαλονίκης (el) -----------------------------------------------------------
    _practice(
        "demo-026", THESSALONIKI, "el", "eleni.papadopoulou@demo.example",
        "Ομάδες γονέων για οικογένειες προσφύγων",
        "Γονείς που ζουν ως πρόσφυγες στη Θεσσαλονίκη συναντιούνται κάθε εβδομάδα, με διερμηνείς, για να "
        "μιλήσουν για την ανατροφή των παιδιών σε μια νέα χώρα, για το άγχος τους και για την προσαρμογή "
        "των παιδιών στο σχολείο.",
        context="Από το 2016 ζουν στη Θεσσαλονίκη χιλιάδες οικογένειες προσφύγων. Οι γονείς κουβαλούν "
        "τραυματικές εμπειρίες, ζουν με αβεβαιότητα για το μέλλον και συναντούν ένα άγνωστο εκπαιδευτικό "
        "σύστημα.",
        target_group="Γονείς παιδιών 3–14 ετών από τη Συρία, το Αφγανιστάν και το Ιράκ που μένουν σε "
        "διαμερίσματα ή δομές φιλοξενίας.",
        objectives="- Μείωση του άγχους των γονέων\n- Ενίσχυση της σχέσης γονέα και παιδιού\n"
        "- Καλύτερη σύνδεση των οικογενειών με το σχολείο",
        methods="1. Δέκα εβδομαδιαίες συναντήσεις των δύο ωρών, χωριστά για μητέρες και πατέρες.\n"
        "2. Διερμηνεία στα αραβικά και στα φαρσί.\n"
        "3. Θέματα: ο ύπνος και οι φόβοι των παιδιών, όρια χωρίς βία, το ελληνικό σχολείο.\n"
        "4. Παράλληλα **δημιουργικά εργαστήρια** για τα παιδιά.",
        resources="Ψυχολόγος, κοινωνική λειτουργός, δύο διερμηνείς, αίθουσα και χώρος για τα παιδιά.",
        outcomes="Το 2023 ολοκληρώθηκαν οκτώ κύκλοι με 94 γονείς. Οι συμμετέχοντες ανέφεραν κατά μέσο όρο "
        "25 % λιγότερο άγχος στην κλίμακα PSS-10.",
        lessons="Οι διερμηνείς χρειάζονται εκπαίδευση και εποπτεία: δεν μεταφέρουν μόνο λέξεις αλλά και "
        "πολιτισμικά νοήματα.",
        sectors=["social", "mental_health"], types=["group", "family"],
        tags=["refugee families", "parenting", "trauma"],
    ),
    _practice(
        "demo-027", THESSALONIKI, "el", "eleni.papadopoulou@demo.example",
        "Κατ’ οίκον επισκέψεις σε οικογένειες με βρέφη",
        "Μια επισκέπτρια υγείας και μια κοινωνική λειτουργός επισκέπτονται στο σπίτι οικογένειες με βρέφη "
        "που ζουν σε δύσκολες συνθήκες, για να στηρίξουν τη φροντίδα του μωρού και την ψυχική υγεία της "
        "μητέρας.",
        context="Στις δυτικές συνοικίες της Θεσσαλονίκης πολλές νέες μητέρες δεν έχουν πρόσβαση σε "
        "υπηρεσίες μετά τον τοκετό.",
        target_group="Οικογένειες με βρέφη έως 12 μηνών, κυρίως ανήλικες μητέρες, μονογονεϊκές οικογένειες "
        "και οικογένειες Ρομά.",
        methods="- Πρώτη επίσκεψη μέσα στις δύο πρώτες εβδομάδες μετά τον τοκετό\n"
        "- Έως 15 επισκέψεις τον πρώτο χρόνο\n"
        "- Έλεγχος για επιλόχεια κατάθλιψη με την κλίμακα EPDS\n"
        "- Συνοδεία στον παιδίατρο και σε άλλες υπηρεσίες",
        outcomes="Το 2023 στηρίχθηκαν 41 οικογένειες· το 95 % των βρεφών ολοκλήρωσε τους εμβολιασμούς του "
        "πρώτου έτους.",
        lessons="Η εμπιστοσύνη χτίζεται με συνέπεια: η ίδια επισκέπτρια, την ίδια μέρα κάθε εβδομάδα.",
        sectors=["social", "mental_health"], types=["family", "individual"],
        tags=["home visits", "early childhood", "roma"],
    ),
    _practice(
        "demo-028", THESSALONIKI, "el", "eleni.papadopoulou@demo.example",
        "Σχολική κοινωνική εργασία σε δημοτικά σχολεία",
        "Μια κοινωνική λειτουργός του Κέντρου εργάζεται σε τέσσερα δημοτικά σχολεία της Σταυρούπολης και "
        "στηρίζει μαθητές με συχνές απουσίες ή δυσκολίες συμπεριφοράς, καθώς και τις οικογένειές τους.",
        context="Τα δημοτικά σχολεία της περιοχής δεν έχουν δικό τους κοινωνικό λειτουργό, ενώ οι "
        "εκπαιδευτικοί βλέπουν όλο και περισσότερα παιδιά με προβλήματα στο σπίτι.",
        target_group="Μαθητές δημοτικού με συχνές απουσίες, εμπειρία σχολικού εκφοβισμού ή δυσκολίες στο "
        "σπίτι, οι γονείς και οι εκπαιδευτικοί τους.",
        methods="- Εβδομαδιαία παρουσία σε κάθε σχολείο\n"
        "- Συναντήσεις με τους γονείς στο σχολείο ή στο σπίτι\n"
        "- Ομάδες κοινωνικών δεξιοτήτων μέσα στην τάξη\n"
        "- Παραπομπή σε υπηρεσίες ψυχικής υγείας όταν χρειάζεται",
        outcomes="Το σχολικό έτος 2023–2024 στηρίχθηκαν 86 μαθητές και οι αδικαιολόγητες απουσίες μειώθηκαν "
        "κατά 35 %.",
        lessons="Η τακτική παρουσία στο σχολείο, ακόμη και χωρίς συγκεκριμένο αίτημα, κάνει τους γονείς να "
        "εμπιστεύονται την κοινωνική λειτουργό.",
        sectors=["educational", "social"], types=["individual", "family"],
        tags=["school social work", "school attendance", "bullying"],
    ),
    _practice(
        "demo-029", THESSALONIKI, "el", "eleni.papadopoulou@demo.example",
        "Διαδικτυακή ομάδα υποστήριξης για γονείς εφήβων",
        "Κύκλος οκτώ διαδικτυακών συναντήσεων για γονείς εφήβων: επικοινωνία, όρια, χρήση οθονών και "
        "σημάδια ψυχικής δυσφορίας.",
        context="Πολλοί γονείς που μένουν έξω από την πόλη δεν μπορούν να έρθουν στο Κέντρο. Ετοιμάζουμε "
        "τον πρώτο κύκλο.",
        target_group="Γονείς εφήβων 12–17 ετών στην Κεντρική Μακεδονία.",
        methods="- Οκτώ βραδινές συναντήσεις μέσω βιντεοκλήσης\n- Έως 12 γονείς σε κάθε ομάδα\n"
        "- Σύντομο υλικό ανάμεσα στις συναντήσεις",
        outcomes="Δεν υπάρχουν ακόμη αποτελέσματα· ο πρώτος κύκλος ξεκινά τον Οκτώβριο.",
        sectors=["mental_health", "educational"], types=["digital", "group"],
        tags=["parents of teenagers", "online groups"], status=DRAFT,
    ),
    # --- Family Links Leeds (en) ----------------------------------------------------------------------
    _practice(
        "demo-030", LEEDS, "en", "sarah.thompson@demo.example",
        "Family group conferencing before care proceedings",
        "Before the local authority goes to court, every family is offered a family group conference: an "
        "independent coordinator brings relatives and friends together, and they make their own plan for "
        "the child in private family time.",
        context="Family Links has run conferences for the city council since 2012 as part of Leeds's "
        "restorative approach to children's services. Since 2019 every family at the pre-proceedings stage "
        "is offered one.",
        target_group="Families whose children are at risk of entering care, at the pre-proceedings stage or "
        "earlier.",
        objectives="- Keep children safely within their family network\n"
        "- Give families a real say in the decisions\n- Reduce the number of care proceedings",
        methods="1. **Referral** by the social worker; the coordinator meets the family within a week.\n"
        "2. **Preparation** over four to six weeks: the coordinator finds and prepares the wider network.\n"
        "3. **The conference**: information sharing, *private family time*, agreeing the plan.\n"
        "4. **Review** conference after three months.",
        resources="Independent coordinators (one per 30 conferences a year), venues, food, interpreters and "
        "travel costs for relatives.",
        outcomes="In 2023 we held 212 conferences; 85 % produced a plan the local authority agreed. Children "
        "whose families had a conference were less likely to enter care than similar children whose "
        "families had none.",
        lessons="Private family time must really be private, and coordinators must be independent of the "
        "social work team.",
        sectors=["social"], types=["family", "community"],
        tags=["family group conferencing", "child protection", "kinship care"],
    ),
    _practice(
        "demo-031", LEEDS, "en", "sarah.thompson@demo.example",
        "Community parenting groups led by parent volunteers",
        "Parents who have completed our parenting course train as volunteer facilitators and run eight-week "
        "groups in community centres, schools and mosques, in English, Urdu and Polish.",
        context="Many parents in east Leeds never come to statutory parenting programmes: the groups are "
        "too far away, only in English, or feel like a judgement.",
        target_group="Parents of children aged 2 to 11 in east Leeds, including parents who would not come "
        "to "
        "a statutory service.",
        objectives="- Reach parents where they already are\n- Reduce parenting stress\n"
        "- Give volunteers skills and confidence",
        methods="- 40 hours of facilitator training and supervision every fortnight\n"
        "- Groups of 8 to 12 parents, with two volunteer facilitators each\n"
        "- Topics: play, praise, routines, calm limits, looking after yourself\n"
        "- A crèche at every session",
        resources="A coordinator, a supervising family worker, crèche workers, venues and volunteers' "
        "expenses.",
        outcomes="Between 2020 and 2024, 46 volunteers ran 61 groups for 540 parents. Parenting stress "
        "scores "
        "fell by about a fifth on average, and 12 volunteers moved into paid work.",
        lessons="Peer facilitators reach parents that professionals do not. They need real supervision, and "
        "their expenses must be paid on time.",
        sectors=["educational", "social"], types=["peer", "group", "community"],
        tags=["parenting", "volunteers", "peer-led groups"],
    ),
    _practice(
        "demo-032", LEEDS, "en", "sarah.thompson@demo.example",
        "Kinship carers' support network",
        "Grandparents, aunts, uncles and older siblings who are raising a relative's child meet every month, "
        "get advice on legal and money questions, and can call a trained kinship carer between meetings.",
        context="Kinship carers often take on a child overnight, in a crisis, with no preparation and little "
        "support, and many feel forgotten by services.",
        target_group="Kinship carers in Leeds, whether or not they have a formal order.",
        methods="- Monthly evening meetings with a meal and activities for the children\n"
        "- A **buddy line** staffed by experienced kinship carers\n"
        "- Advice sessions with a family-law solicitor and a welfare-rights adviser\n"
        "- Short training on trauma and contact with birth parents",
        outcomes="In 2023, 118 carers used the network; the buddy line took 640 calls. Carers rated the "
        "meetings 4.6 out of 5 on average.",
        lessons="Carers trust other carers first. Holding meetings in the evening with food for the whole "
        "family made all the difference.",
        sectors=["social", "mental_health"], types=["peer", "group"],
        tags=["kinship care", "grandparents", "peer support"], visibility=MEMBERS,
    ),
    _practice(
        "demo-033", LEEDS, "en", "sarah.thompson@demo.example",
        "Holiday activities and food programme run with families",
        "During the school holidays, children who receive free school meals join activities four days a week "
        "with a hot lunch. Parents cook alongside the staff and help to plan the programme.",
        context="For many families the holidays mean more costs and no free school meals. Activities "
        "designed without the families were poorly attended.",
        target_group="Children aged 5 to 16 who receive free school meals, and their parents, in two wards "
        "of east Leeds.",
        methods="1. Parents and children plan the programme together in the spring.\n"
        "2. Four days a week of sport, arts and trips, from 10:00 to 14:00.\n"
        "3. A hot lunch cooked with parents, who can take a cooking course.\n"
        "4. Signposting to advice on money, housing and debt.",
        resources="Two coordinators, sessional youth workers, a school kitchen and buildings, a national "
        "holiday-programme grant.",
        outcomes="In summer 2024, 430 children took part on at least one day and 9,800 meals were served. "
        "Parents' feedback led to a new Saturday session.",
        lessons="When parents cook, they stay; when they help plan, their children come back.",
        sectors=["social", "educational"], types=["community", "group"],
        tags=["food poverty", "holidays", "parental involvement"],
    ),
]

# (practice, author email, text, the text of the comment it answers)
COMMENTS = [
    ("demo-001", "professional@demo.example",
     "We run parent groups in Arad and find it hard to keep families coming after the first sessions. How do "
     "you choose the topic of each session? Do the families vote?", None),
    ("demo-001", "institution-admin@demo.example",
     "They propose topics at the end of each session and the group agrees on one. Honestly, the **snack and "
     "the childcare** keep families coming more than any topic!",
     "We run parent groups in Arad and find it hard to keep families coming after the first sessions. How do "
     "you choose the topic of each session? Do the families vote?"),
    ("demo-001", "sarah.thompson@demo.example",
     "Lovely to see a six-month follow-up. Do you measure anything at that point, or is it an informal "
     "get-together?", None),
    ("demo-003", "sigrun.jonsdottir@demo.example",
     "We use the Edinburgh scale at the same points in Reykjavík. Do you also screen fathers? We started in "
     "2023 and found more need than we expected.", None),
    ("demo-012", "sarah.thompson@demo.example",
     "We run the same model in Leeds (see *Family group conferencing before care proceedings*). How do you "
     "recruit your independent coordinators?", None),
    ("demo-012", "evaluator@demo.example",
     "Mostly through volunteer centres and word of mouth. They get four days of training and are paid per "
     "conference.",
     "We run the same model in Leeds (see *Family group conferencing before care proceedings*). How do you "
     "recruit your independent coordinators?"),
    ("demo-015", "eleni.papadopoulou@demo.example",
     "The peer parent is a great idea. Have you tried a group only for fathers?", None),
    ("demo-015", "aino.virtanen@demo.example",
     "Yes: one evening group for fathers in 2023, and six dads came regularly. What worked was inviting them "
     "by name, not through the mother.",
     "The peer parent is a great idea. Have you tried a group only for fathers?"),
    ("demo-022", "coordinator@demo.example",
     "This is very close to our peer support project in Seville. Could two of our peer workers come on a "
     "job-shadowing visit in the spring?", None),
    ("demo-030", "marc.weber@demo.example",
     "Do you use interpreters during private family time, or only in the information part?", None),
    ("demo-030", "sarah.thompson@demo.example",
     "Only if the family asks for one. The interpreter then stays as a helper the family chose, not as a "
     "professional.",
     "Do you use interpreters during private family time, or only in the information part?"),
    ("demo-008", "evaluator@demo.example",
     "Good to see a three-month follow-up. Could you share the questionnaire behind the 72 % figure?", None),
    ("demo-026", "institution-admin@demo.example",
     "Muy inspirador. ¿Cómo formáis y supervisáis a los intérpretes? Nosotros trabajamos con mediadoras "
     "interculturales y nos cuesta mucho encontrarlas.", None),
]


def seed_demo_practices() -> dict[str, int]:
    """Create the demo practices and comments that are missing; return how many of each were added.

    Needs the demo institutions and users (seed_demo makes them first). Each practice is written by a demo
    user of its institution, through the same service as the web form, so it has its revision and audit.
    """
    added = {"practices": 0, "comments": 0}
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.example")))}
    countries = {slug: country for slug, country in db.session.execute(
        select(Institution.slug, Institution.country))}
    by_ref: dict[str, Practice] = {}
    for item in PRACTICES:
        practice = db.session.scalar(select(Practice).where(Practice.external_ref == item["external_ref"]))
        if practice is None:
            values = {k: v for k, v in item.items() if k not in ("author", "translation_of")}
            data = services.PracticeData(**values, country=countries[item["institution"]])
            original = by_ref.get(item["translation_of"] or "")
            data.translation_of_id = original.id if original is not None else None
            practice = services.create_practice(users.get(item["author"]), data)
            added["practices"] += 1
        by_ref[item["external_ref"]] = practice

    for ref, email, body, answers in COMMENTS:
        practice = by_ref[ref]
        existing = {c.body: c for c in db.session.scalars(
            select(Comment).where(Comment.practice_id == practice.id))}
        if body in existing:
            continue
        author = users.get(email)
        parent = existing.get(answers) if answers else None
        db.session.add(Comment(practice_id=practice.id, parent_id=parent.id if parent else None,
                               author_id=author.id if author else None, body=body, created_at=utcnow()))
        db.session.flush()  # a reply further down needs this comment's id
        added["comments"] += 1
    db.session.commit()
    return added
