"""Demo essays for `seed-demo`: two training events besides the completed visits, 40+ essays in several
languages and every state, and evaluators' assessments, so the archive and the report show real
aggregates. Added once: skipped when the demo partnership already has essays."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from network.auth import services as accounts
from network.auth.models import EVALUATOR, User
from network.demo_calendar import demo_calendar
from network.essays import services as essays
from network.essays.models import Essay, TrainingEvent
from network.essays.services import AssessmentData, EssayData, EventData
from network.extensions import db
from network.institutions.models import Partnership

# Opening, body and closing sentences per language: combined, they read like short reflective essays.
TEXTS = {
    "en": (["During my week I learned how much families can support each other when they meet regularly.",
            "The visit showed me a different way of working with parents who feel judged by services."],
           ["The team plans every group session together and spends time after each one on what happened.",
            "What struck me most was how the facilitators let parents lead the conversation.",
            "Home visits were short but frequent, and always prepared with the family's own goals.",
            "Schools, health centres and the family centre share one plan for each family."],
           ["Back home, my team will try a monthly group for parents, starting in spring.",
            "I will propose that we write our plans together with families instead of for them."]),
    "es": (["Durante la semana aprendí cuánto se apoyan las familias cuando se reúnen con regularidad.",
            "La visita me enseñó otra forma de trabajar con padres que se sienten juzgados."],
           ["El equipo prepara cada sesión de grupo y dedica tiempo después a reflexionar sobre lo ocurrido.",
            "Lo que más me impresionó fue cómo los facilitadores dejan que las familias guíen la conversación.",
            "Las visitas a domicilio son breves pero frecuentes y parten de los objetivos de la familia.",
            "La escuela, el centro de salud y el centro de familias comparten un único plan."],
           ["En mi servicio propondremos un grupo mensual de familias a partir de la primavera.",
            "Voy a proponer que escribamos los planes con las familias y no para ellas."]),
    "ro": (["În această săptămână am învățat cât de mult se pot sprijini familiile între ele.",
            "Vizita mi-a arătat un alt mod de a lucra cu părinții care se simt judecați."],
           ["Echipa pregătește fiecare întâlnire de grup și discută apoi ce s-a întâmplat.",
            "M-a impresionat cum facilitatorii lasă părinții să conducă discuția.",
            "Vizitele la domiciliu sunt scurte, dar dese, și pornesc de la obiectivele familiei."],
           ["Acasă, echipa mea va începe un grup lunar pentru părinți.",
            "Voi propune să scriem planurile împreună cu familiile."]),
    "fi": (["Viikon aikana opin, kuinka paljon perheet voivat tukea toisiaan säännöllisissä tapaamisissa.",
            "Vierailu näytti minulle toisenlaisen tavan tehdä työtä vanhempien kanssa."],
           ["Tiimi suunnittelee jokaisen ryhmätapaamisen yhdessä ja pohtii sitä jälkeenpäin.",
            "Eniten minuun teki vaikutuksen se, että vanhemmat saivat ohjata keskustelua.",
            "Kotikäynnit olivat lyhyitä mutta säännöllisiä."],
           ["Kotona tiimimme aloittaa kuukausittaisen vanhempainryhmän keväällä.",
            "Ehdotan, että kirjoitamme suunnitelmat yhdessä perheiden kanssa."]),
    "fr": (["Pendant cette semaine, j'ai appris combien les familles peuvent se soutenir entre elles.",
            "La visite m'a montré une autre façon de travailler avec des parents qui se sentent jugés."],
           ["L'équipe prépare chaque séance de groupe et prend le temps d'y réfléchir ensuite.",
            "Ce qui m'a le plus frappé, c'est la place laissée aux parents dans la discussion.",
            "Les visites à domicile sont courtes mais fréquentes."],
           ["Dans mon service, nous lancerons un groupe mensuel de parents au printemps.",
            "Je proposerai d'écrire les plans avec les familles plutôt que pour elles."]),
}
LANGUAGE_OF_COUNTRY = {"ES": "es", "RO": "ro", "FI": "fi", "BE": "fr", "LU": "fr"}
STRENGTHS = ["concrete plans", "honest reflection", "links to theory", "clear examples", "team involvement"]
WEAKNESSES = ["vague about next steps", "mostly descriptive", "no link to own context", "too short"]
SKILLS = ["group facilitation", "motivational interviewing", "family group conferencing", "networking with services",
          "reflective practice", "working with interpreters"]


def _essay_text(rng: random.Random, language: str) -> str:
    openings, middles, closings = TEXTS.get(language, TEXTS["en"])
    paragraphs = [rng.choice(openings)]
    for _ in range(rng.randint(3, 6)):
        paragraphs.append(" ".join(rng.sample(middles, min(len(middles), rng.randint(2, 3)))))
    paragraphs.append(rng.choice(closings))
    return "\n\n".join(paragraphs)


def seed_demo_essays(partnership_reference: str, coordinator_email: str, evaluator_email: str,
                     password: str) -> dict[str, int]:
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == partnership_reference))
    if partnership is None or db.session.scalar(
            select(func.count(Essay.id)).join(TrainingEvent).where(TrainingEvent.partnership_id == partnership.id)):
        return {"events": 0, "essays": 0, "assessments": 0}
    rng = random.Random(6)
    calendar = demo_calendar()
    coordinator = accounts.find_user_by_email(coordinator_email)
    evaluators = [accounts.find_user_by_email(evaluator_email)]
    second = "second-evaluator@demo.example"
    evaluators.append(accounts.find_user_by_email(second) or accounts.create_user(
        "Kerstin Berg", second, password, evaluators[0].institution, roles=[EVALUATOR]))

    members = [u for u in db.session.scalars(select(User).order_by(User.id))
               if u.is_approved_member and u.institution_id and u.institution in partnership.partners
               and not u.roles]
    partners = list(partnership.partners)
    events = [
        essays.record_event(coordinator, partnership, EventData(
            title="Short-term training: family group conferencing", kind="training_event",
            start_date=calendar.training_event[0], end_date=calendar.training_event[1],
            host_institution_id=partners[-1].id,
            participant_ids=[u.id for u in rng.sample(members, 18)])),
        essays.record_event(coordinator, partnership, EventData(
            title="Online course: community resources mapping", kind="online_course",
            start_date=calendar.online_course[0], end_date=calendar.online_course[1],
            host_institution_id=partners[0].id,
            participant_ids=[u.id for u in rng.sample(members, 18)])),
    ]
    visit_events = list(db.session.scalars(select(TrainingEvent).where(
        TrainingEvent.partnership_id == partnership.id, TrainingEvent.visit_id.is_not(None))))
    written = []
    for event in visit_events + events:
        for person in list(event.participants):
            language = LANGUAGE_OF_COUNTRY.get(person.institution.country, "en") if rng.random() < 0.7 else "en"
            essay = essays.start_essay(person, event)
            data = EssayData(title=_title(rng, language, event), body=_essay_text(rng, language), language=language,
                             display=rng.choice(["named", "named", "anonymous", "private"]))
            state = rng.random()
            if state < 0.12:
                essays.save_draft(person, essay, data)
                continue
            essays.submit_essay(person, essay, data)
            if state < 0.25:
                essays.return_essay(coordinator, essay, "Could you say more about what your team will change?")
            elif state < 0.8:
                essays.publish_essay(coordinator, essay)
            written.append(essay)
    criteria = essays.rubric_of(partnership)
    assessments = 0
    for essay in written:
        if essay.status not in ("submitted", "published"):
            continue
        for evaluator in evaluators[: rng.choice([1, 1, 2])]:
            essays.assess(evaluator, essay, AssessmentData(
                scores={c.id: min(5, max(1, round(rng.gauss(3.4, 0.9)))) for c in criteria},
                strengths=rng.sample(STRENGTHS, rng.randint(1, 2)),
                weaknesses=rng.sample(WEAKNESSES, rng.randint(0, 1)),
                skills=rng.sample(SKILLS, rng.randint(1, 3)),
                notes="Read for the interim report."))
            assessments += 1
    total = db.session.scalar(select(func.count(Essay.id)))
    return {"events": len(events), "essays": total, "assessments": assessments}


def _title(rng: random.Random, language: str, event: TrainingEvent) -> str:
    titles = {
        "en": ["What I take home from {place}", "Families helping families: lessons from {place}",
               "A week that changed how we plan with parents"],
        "es": ["Lo que me llevo de {place}", "Familias que ayudan a familias: aprendizajes de {place}"],
        "ro": ["Ce am învățat la {place}", "Familii care ajută familii"],
        "fi": ["Mitä opin: {place}", "Perheet tukevat toisiaan"],
        "fr": ["Ce que je retiens de {place}", "Des familles qui aident des familles"],
    }
    place = event.host.city if event.host and event.host.city else event.title
    return rng.choice(titles.get(language, titles["en"])).format(place=place)
