"""How fast search is: a generated multilingual corpus of N documents through our Whoosh backend
(network/search/backend.py), beside plain Whoosh defaults on the same corpus and the same query texts.

    .venv/bin/python bench/search.py [--docs 10000] [--queries 300] [--seed 1] [--keep] [--reuse DIR]
                                     [--profile 5] [--probes 5] [--incremental-budget SECONDS]

What it does, in order (everything in a temporary directory, removed at the end unless --keep):

1. Generates N SearchDocument objects deterministically from --seed: ten languages (en es ro fr fi it pt pl
   is el) with a few hundred social-work, family and community words each (Zipf-distributed, with a
   per-document topic), the language's function words, numbers, English loan words and a long tail of
   rarer words; titles of 5-12 words, summaries of 20-60 words, bodies of 150-1,000 words; tags, sectors,
   countries, institutions (40 slugs), statuses (mostly published/public), dates over five years.
   The corpus is written to a JSON Lines file once and read back, batch by batch, by each phase.
2. Indexes it three times, each in its own forked process so that each phase's peak memory is its own:
   - ours, incremental: SearchIndex.create_empty(), then index.write(batch_of_500, []) - the indexer's
     path (one searcher per batch for the deletions, add_document, commit merging segments of similar
     size only, backend._merge_similar_segments); --incremental-budget stops it after that many seconds
     (queries then run on the rebuilt index);
   - ours, full reindex: index.bulk_writer(folder) + add_document(**to_fields(doc)) + commit + swap_to,
     the loop of network/search/cli.py rebuild without Flask and the database;
   - baseline: plain Whoosh (StemmingAnalyzer on title and body, ID key, default ix.writer(),
     add_document, commit every 500 documents); its figures are also written to baseline.json.
   Only the index calls are timed; reading the corpus file is not.
   --reuse DIR (a directory kept by an earlier run with --keep) skips generating the corpus and indexing
   the baseline: it reads DIR/corpus.jsonl (checked against --seed; the phrases queries are drawn from
   are generated again) and queries the baseline index DIR/baseline/, and prints the baseline's indexing
   figures from the earlier run's DIR/baseline.json, or as unavailable (nan in the RESULT line) when there
   is none. Our two indexes are always built afresh, in a new temporary directory; DIR is only read.
3. Runs --queries distinct queries (one to three words, quoted phrases, prefixes such as "fami*", words
   with facet filters, browsing by facet, accent-less, misspelt and rare words) through backend.run_search
   exactly as the search page does (anonymous visitor, page 1, 20 per page), interleaved with the same
   query text through MultifieldParser(["title", "body"]) + searcher.search(limit=20) on the baseline
   index; then ours again on the one-segment index the full reindex built. No result is cached beyond
   what the backend itself keeps (per-segment readers and arrays, per-version masks and arrays); all
   searchers are opened and warmed with 12 other queries before timing starts. Counts queries over one
   second and queries whose phrase check (the word positions of quoted phrases) stopped at
   backend.PHRASE_TIME_LIMIT, so that their total was estimated.
4. Where the time goes: every query once more with timers around the functions run_search calls
   (index.current, parse_user_query, build_plan, _filter_mask, _match with _phrase_candidates and
   _phrase_docs apart, _best with its proximity _phrase_docs apart, _newest, _facet_counts, _hit,
   make_snippet, spelling_suggestion, the suggestion's build_plan + _match), over all queries and over
   the slowest 5 %; what the first query after a commit pays on top (opening the new index version after
   a one-document commit, on a copy of the index, with the kept segments' data, and the per-version
   arrays it builds) and what a cold start pays (a new SearchIndex on the same index: current() plus the
   facet arrays, dates, field lengths and the anonymous permission mask); cProfile of the --profile
   slowest and most typical (nearest the median) queries.
5. The indexer on a copy of the full index (unless --probes 0): how long after index.write starts a
   web process's search finds a new document (--probes times), one batch of 500 updates timed, and
   another under cProfile.

Not a test: nothing here asserts a time. CPU time is printed beside wall time and the load average at the
start and the end, so a busy machine shows. The last line is machine-readable (RESULT ...).
"""
from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import itertools
import json
import logging
import multiprocessing
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network.search import backend  # noqa: E402
from network.search.backend import (  # noqa: E402
    Filters,
    SearchIndex,
    permission_filter,
    run_search,
    to_fields,
)
from network.search.documents import SearchDocument  # noqa: E402

BATCH = 500

# --- vocabulary --------------------------------------------------------------------------------------
# Content words: social work, family and community, in the forms they take in running text (plurals,
# cases, verb forms). The first words of each list are the most frequent (Zipf); the rest are shuffled.

CONTENT = {
    "en": """
family families parent parents child children support community social worker workers home school
group groups parenting familial childhood mother mothers motherhood father fathers fatherhood grandparent
grandparents grandmother grandfather sibling siblings baby babies newborn infant infants toddler toddlers
youth youngster adolescent adolescents teenager teenagers pupil pupils student students schools teacher
teachers classroom attendance absenteeism dropout communities neighbourhood neighbourhoods neighbour
neighbours district municipality municipal village villages town city centre centres homes household
households housing homelessness shelter poverty income debt unemployment employment job jobs caseworker
caseworkers professional professionals practitioner practitioners team teams volunteer volunteers
volunteering mentor mentors mentoring coach coaching supported supporting supportive session sessions
meeting meetings workshop workshops training trained course visit visits visiting outreach referral
referrals assessment assessments plan plans planning care carer carers caregiver caregivers foster
fostering kinship adoption adoptive placement placements protection safeguarding welfare wellbeing health
healthy mental illness disability disabilities addiction alcohol recovery therapy therapist therapists
counselling counsellor psychologist trauma attachment resilience violence abuse neglect conflict conflicts
divorce separation custody migrant migrants migration refugee refugees asylum integration inclusion
exclusion isolation loneliness discrimination roma minority minorities interpreter cultural intercultural
network networks partnership partnerships cooperation collaboration coordination stakeholders institution
institutions service services agency agencies organisation organisations policy policies funding budget
evaluation evidence outcome outcomes impact indicators survey interview interviews research study pilot
project projects programme programmes intervention interventions practice practices method methods
approach approaches model tool tools toolkit guidelines early prevention preventive crisis emergency risk
risks vulnerable protective strengths empowerment participation participatory engagement involvement voice
dialogue trust relationship relationships communication listening respect dignity autonomy skills
competence learning education educational literacy reading homework play playgroup kindergarten nursery
daycare childcare library sport music art garden kitchen meal meals food breakfast digital online video
phone meet meets met share shares shared learn learned involve involved improve improved improving
strengthen strengthened reduce reduced prevent prevented help helped develop developed developing organise
organised invite invited listen listened talk talked cook cooked welcome welcomed accompany accompanied
encourage encouraged build built agree agreed decide decided evaluate evaluated together weekly monthly
fortnightly local regional national european rural urban informal formal multidisciplinary holistic
sustainable successful difficult positive young older single lone disadvantaged marginalised isolated
""",
    "es": """
familia familias padres niños apoyo comunidad social trabajo escuela grupo familiar familiares padre
madre madres maternidad paternidad hijo hijos hija hijas niño niña niñas infancia adolescente adolescentes
joven jóvenes juventud bebé bebés abuelo abuelos abuela hermano hermanos alumno alumnos alumna estudiantes
escuelas colegio profesor profesora profesores maestra aula asistencia absentismo abandono comunidades
barrio barrios vecino vecinos vecinal distrito municipio ayuntamiento pueblo ciudad centro centros hogar
hogares vivienda viviendas sinhogarismo albergue pobreza ingresos deuda desempleo empleo trabajadora
trabajador trabajadores educador educadora educadores profesional profesionales equipo equipos voluntario
voluntarios voluntariado mentor mentoría acompañamiento apoyar apoyado grupos sesión sesiones reunión
reuniones taller talleres formación curso cursos visita visitas domicilio domiciliarias derivación
derivaciones evaluación valoración diagnóstico plan planes planificación cuidado cuidados cuidador
cuidadora cuidadores acogimiento acogida adopción adoptiva protección bienestar salud saludable mental
enfermedad discapacidad adicción alcohol recuperación terapia terapeuta terapeutas orientación psicólogo
psicóloga trauma apego resiliencia violencia maltrato abuso negligencia conflicto conflictos divorcio
separación custodia migrante migrantes migración refugiados asilo integración inclusión exclusión
aislamiento soledad discriminación gitana gitanos minoría intérprete cultural intercultural red redes
asociación cooperación colaboración coordinación entidades institución instituciones servicio servicios
agencia organización organizaciones política políticas financiación presupuesto evidencia resultado
resultados impacto indicadores encuesta entrevista entrevistas investigación estudio piloto proyecto
proyectos programa programas intervención intervenciones práctica prácticas método métodos enfoque modelo
herramienta herramientas guía temprana prevención preventiva crisis emergencia riesgo riesgos vulnerable
vulnerables protectores fortalezas empoderamiento participación participativa implicación voz diálogo
confianza relación relaciones vínculo comunicación escucha respeto dignidad autonomía habilidades
competencias aprendizaje educación educativa educativo alfabetización lectura deberes juego ludoteca
guardería infantil biblioteca deporte música arte huerto cocina comida comidas alimentación desayuno
digital vídeo teléfono reunirse compartir comparten compartieron aprender aprenden implicar mejorar
mejoran mejoró fortalecer reducir prevenir ayudar ayudan desarrollar desarrollado organizar invitar
escuchar hablar cocinar acompañar animar construir acordar decidir juntos semanal mensual quincenal local
regional nacional europeo rural urbano informal interdisciplinar integral sostenible exitoso difícil
positivo monoparental desfavorecido desfavorecidas marginados aislados
""",
    "ro": """
familie familii părinți copii sprijin comunitate socială asistent școală grup familia familiei familial
părinte părinții părintească mamă mame mama tată tatăl tați copil copilul copiilor copilărie adolescent
adolescenți tânăr tineri tineret bebeluș bunic bunici bunica frate frați elev elevi elevii școli școala
școlii profesor profesori învățător clasă frecvență absenteism abandon comunități comunitatea cartier
cartiere vecin vecini vecinătate județ municipiu primărie sat sate oraș centru centre centrul locuință
locuințe adăpost sărăcie venit datorii șomaj angajare muncă asistentă asistenți asistența sociale social
specialist specialiști echipă echipe voluntar voluntari voluntariat mentor mentorat sprijinul consiliere
consilier grupuri grupul sesiune sesiuni întâlnire întâlniri atelier ateliere formare curs cursuri vizită
vizite domiciliu îndrumare evaluare evaluarea plan planuri planificare îngrijire îngrijitor îngrijitori
plasament adopție protecție protecția bunăstare sănătate sănătății mintală boală dizabilitate dizabilități
dependență alcool recuperare terapie terapeut terapeuți psiholog psihologi traumă atașament reziliență
violență abuz neglijare conflict conflicte divorț separare custodie migrant migranți migrație refugiați
azil integrare incluziune excluziune izolare singurătate discriminare romi romă minoritate minorități
interpret cultural intercultural rețea rețele parteneriat parteneriate cooperare colaborare coordonare
instituție instituții serviciu servicii agenție organizație organizații politică politici finanțare buget
dovezi rezultat rezultate impact indicatori chestionar interviu interviuri cercetare studiu pilot proiect
proiecte program programe intervenție intervenții practică practici metodă metode abordare model
instrument instrumente ghid timpurie prevenire preventiv criză urgență risc riscuri vulnerabil vulnerabile
împuternicire participare participativ implicare dialog încredere relație relații legătură comunicare
ascultare respect demnitate autonomie abilități competențe învățare educație educațional educațională
alfabetizare lectură teme joacă grădiniță creșă bibliotecă sport muzică artă grădină bucătărie masă mese
hrană digital online video telefon întâlnesc împărtășesc învață implică îmbunătățesc îmbunătățit întărește
reduce previne ajută dezvoltă dezvoltat organizează invită ascultă vorbesc gătesc însoțesc încurajează
construiesc decid împreună săptămânal lunar local regional național european rural urban informal
multidisciplinar durabil dificil pozitiv monoparentale defavorizate marginalizate izolate
""",
    "fr": """
famille familles parents enfants soutien communauté social travailleur école groupe familial familiale
parent parentalité parentale enfant enfance mère mères père pères grand-parents grand-mère frère frères
sœur bébé bébés nourrisson adolescent adolescents adolescence jeune jeunes jeunesse élève élèves étudiant
écoles enseignant enseignants instituteur classe assiduité absentéisme décrochage communautés quartier
quartiers voisin voisins voisinage commune municipalité mairie village ville centre centres foyer foyers
logement logements sans-abri hébergement pauvreté précarité revenu dettes chômage emploi travail
travailleuse travailleurs éducateur éducatrice éducateurs professionnel professionnels intervenant
intervenants équipe équipes bénévole bénévoles bénévolat parrainage tutorat accompagnement soutenir groupes
séance séances réunion réunions atelier ateliers formation cours visite visites domicile orientation
signalement évaluation bilan plan projet projets planification soins aidant aidants accueil placement
adoption protection bien-être santé mentale maladie handicap dépendance addiction alcool rétablissement
thérapie thérapeute psychologue psychologues traumatisme attachement résilience violence violences
maltraitance négligence conflit conflits divorce séparation garde migrant migrants migration réfugiés asile
intégration inclusion exclusion isolement solitude discrimination roms minorité interprète culturel
interculturel réseau réseaux partenariat partenariats coopération collaboration coordination acteurs
institution institutions service services agence association associations organisation politique
politiques financement budget preuves résultat résultats impact indicateurs enquête entretien entretiens
recherche étude pilote programme programmes intervention interventions pratique pratiques méthode méthodes
approche modèle outil outils guide précoce prévention préventive crise urgence risque risques vulnérable
vulnérables protecteurs ressources participation participative implication engagement parole dialogue
confiance relation relations lien communication écoute respect dignité autonomie compétences apprentissage
éducation éducatif éducative alphabétisation lecture devoirs jeu ludothèque crèche maternelle garderie
bibliothèque sport musique art jardin cuisine repas alimentation petit-déjeuner numérique vidéo téléphone
rencontrer partagent partager apprendre apprennent impliquer améliorer améliore renforcer réduire prévenir
aider aident développer développé organiser inviter écouter parler cuisiner accompagner encourager
construire décider ensemble hebdomadaire mensuel local régional national européen rural urbain informel
pluridisciplinaire global durable difficile positif monoparentale défavorisés marginalisés isolés
""",
    "fi": """
perhe perheet lapset vanhemmat tuki yhteisö sosiaalityö koulu ryhmä lasten perheen perheiden perheitä
perheille vanhempi vanhempien vanhemmuus lapsi lapsen lapsuus äiti äidit isä isät isovanhemmat isoäiti
sisarus sisarukset vauva vauvat nuori nuoret nuorten nuoriso murrosikäinen oppilas oppilaat opiskelija
koulut koulussa opettaja opettajat luokka poissaolot keskeyttäminen yhteisöt yhteisön asuinalue
naapurusto naapuri naapurit kaupunginosa kunta kunnan kunnat kylä kaupunki keskus perhekeskus koti kodit
kotitalous asuminen asunto asunnottomuus turvakoti köyhyys toimeentulo velka työttömyys työllisyys työ
työntekijä työntekijät sosiaalityöntekijä sosiaaliohjaaja ammattilainen ammattilaiset tiimi vapaaehtoinen
vapaaehtoiset vapaaehtoistyö mentori mentorointi ohjaus tukea tukeminen ryhmät ryhmässä vertaisryhmä
vertaistuki tapaaminen tapaamiset istunto työpaja koulutus kurssi kotikäynti kotikäynnit kotipalvelu
etsivä lähete arviointi arvio suunnitelma suunnittelu hoito hoitaja omaishoitaja sijaishuolto sijaisperhe
sijoitus adoptio lastensuojelu hyvinvointi terveys mielenterveys sairaus vammaisuus riippuvuus päihteet
alkoholi toipuminen terapia terapeutti psykologi trauma kiintymyssuhde resilienssi väkivalta
lähisuhdeväkivalta kaltoinkohtelu laiminlyönti riita ristiriita avioero ero huoltajuus maahanmuuttaja
maahanmuuttajat maahanmuutto pakolainen pakolaiset turvapaikka kotoutuminen osallisuus syrjäytyminen
eristäytyminen yksinäisyys syrjintä romanit vähemmistö tulkki kulttuuri monikulttuurinen verkosto
verkostot kumppanuus yhteistyö koordinointi toimija toimijat palvelu palvelut virasto järjestö järjestöt
politiikka rahoitus budjetti näyttö tulos tulokset vaikutus vaikuttavuus mittarit kysely haastattelu
haastattelut tutkimus selvitys pilotti hanke hankkeet ohjelma interventio menetelmä menetelmät
toimintamalli malli työkalu työkalut opas varhainen ennaltaehkäisy ehkäisevä kriisi hätä riski riskit
haavoittuva suojaavat vahvuudet voimaantuminen osallistuminen osallistava sitoutuminen ääni dialogi
luottamus suhde suhteet vuorovaikutus kuunteleminen kunnioitus arvokkuus itsenäisyys taidot osaaminen
oppiminen kasvatus lukutaito lukeminen läksyt leikki leikkikerho päiväkoti varhaiskasvatus kirjasto
liikunta musiikki taide puutarha keittiö ateria ruoka aamiainen digitaalinen verkossa video puhelin
tapaavat jakavat oppivat osallistuvat parantaa vahvistaa vähentää ehkäistä auttaa kehittää järjestää
kutsua kuunnella keskustella kokata yhdessä viikoittain kuukausittain paikallinen alueellinen kansallinen
eurooppalainen maaseutu kaupunkimainen epävirallinen moniammatillinen kokonaisvaltainen kestävä vaikea
myönteinen yksinhuoltaja
""",
    "it": """
famiglia famiglie genitori bambini sostegno comunità sociale servizi scuola gruppo familiare familiari
genitore genitorialità madre madri padre padri nonni nonna fratello fratelli sorella bambino bambina
bambine infanzia neonato neonati adolescente adolescenti giovane giovani gioventù alunno alunni studenti
scuole insegnante insegnanti maestra classe frequenza assenteismo dispersione quartiere quartieri vicino
vicini vicinato comune municipio paese città centro centri casa case abitazione alloggio senzatetto
dormitorio povertà reddito debiti disoccupazione occupazione lavoro lavoratore lavoratori operatore
operatori operatrice assistente assistenti educatore educatrice educatori professionista professionisti
équipe squadra volontario volontari volontariato tutor tutoraggio accompagnamento supporto gruppi incontro
incontri seduta laboratorio laboratori formazione corso corsi visita visite domicilio domiciliare
segnalazione valutazione piano piani progettazione cura cure affido affidamento accoglienza adozione tutela
protezione benessere salute mentale malattia disabilità dipendenza alcol recupero terapia terapeuta
psicologo psicologa trauma attaccamento resilienza violenza maltrattamento abuso trascuratezza conflitto
conflitti divorzio separazione custodia migrante migranti migrazione rifugiati asilo integrazione
inclusione esclusione isolamento solitudine discriminazione rom minoranza mediatore mediazione culturale
interculturale rete reti partenariato cooperazione collaborazione coordinamento istituzione istituzioni
servizio agenzia associazione organizzazione politica politiche finanziamento bilancio evidenze risultato
risultati impatto indicatori questionario intervista interviste ricerca studio pilota progetto progetti
programma programmi intervento interventi pratica pratiche metodo metodi approccio modello strumento
strumenti guida precoce prevenzione preventiva crisi emergenza rischio rischi vulnerabile vulnerabili
protettivi risorse partecipazione partecipativa coinvolgimento voce dialogo fiducia relazione relazioni
legame comunicazione ascolto rispetto dignità autonomia competenze abilità apprendimento educazione
educativo educativa alfabetizzazione lettura compiti gioco ludoteca nido asilo materna biblioteca sport
musica arte orto cucina pasto pasti alimentazione colazione digitale video telefono incontrarsi condividere
condividono imparare imparano coinvolgere migliorare migliora rafforzare ridurre prevenire aiutare aiutano
sviluppare sviluppato organizzare invitare ascoltare parlare cucinare accompagnare incoraggiare costruire
decidere insieme settimanale mensile locale regionale nazionale europeo rurale urbano informale
multidisciplinare integrato sostenibile difficile positivo monoparentali svantaggiate emarginati isolati
""",
    "pt": """
família famílias pais crianças apoio comunidade social trabalho escola grupo familiar familiares pai mãe
mães parentalidade filho filhos filha criança infância bebé bebés avô avós avó irmão irmãos adolescente
adolescentes jovem jovens juventude aluno alunos estudantes escolas professor professores professora
turma assiduidade absentismo abandono comunidades bairro bairros vizinho vizinhos vizinhança concelho
município câmara aldeia cidade centro centros casa lar habitação alojamento sem-abrigo pobreza rendimento
dívidas desemprego emprego trabalhador trabalhadores técnico técnicos técnica assistente educador
educadora educadores profissional profissionais equipa equipas voluntário voluntários voluntariado mentor
mentoria acompanhamento apoiar grupos sessão sessões reunião reuniões oficina oficinas formação curso
cursos visita visitas domicílio domiciliária encaminhamento sinalização avaliação diagnóstico plano
planos planeamento cuidado cuidados cuidador cuidadores acolhimento adoção proteção bem-estar saúde mental
doença deficiência dependência álcool recuperação terapia terapeuta psicólogo psicóloga trauma vinculação
resiliência violência maus-tratos abuso negligência conflito conflitos divórcio separação guarda migrante
migrantes migração refugiados asilo integração inclusão exclusão isolamento solidão discriminação ciganos
minoria intérprete mediador cultural intercultural rede redes parceria parcerias cooperação colaboração
coordenação instituição instituições serviço serviços agência associação organização política políticas
financiamento orçamento evidência resultado resultados impacto indicadores inquérito entrevista
entrevistas investigação estudo piloto projeto projetos programa programas intervenção intervenções
prática práticas método métodos abordagem modelo ferramenta ferramentas guia precoce prevenção preventiva
crise emergência risco riscos vulnerável vulneráveis protetores capacitação participação participativa
envolvimento voz diálogo confiança relação relações vínculo comunicação escuta respeito dignidade
autonomia competências aprendizagem educação educativo educativa literacia leitura brincar jogo creche
jardim-de-infância biblioteca desporto música arte horta cozinha refeição refeições alimentação
pequeno-almoço digital vídeo telefone encontrar partilhar partilham aprender aprendem envolver melhorar
melhora reforçar reduzir prevenir ajudar ajudam desenvolver desenvolvido organizar convidar ouvir conversar
cozinhar acompanhar incentivar construir decidir juntos semanal mensal local regional nacional europeu
rural urbano informal multidisciplinar integrado sustentável difícil positivo monoparentais desfavorecidas
marginalizados isolados
""",
    "pl": """
rodzina rodziny rodzice dzieci wsparcie społeczność pracownik socjalny szkoła grupa rodzinie rodzinny
rodzinna rodzic rodziców rodzicielstwo dziecko dzieciom dzieciństwo matka matki ojciec ojcowie dziadkowie
babcia rodzeństwo niemowlę niemowlęta nastolatek nastolatki młodzież młodzi młody uczeń uczniowie uczniów
student szkoły szkole nauczyciel nauczyciele nauczycielka klasa frekwencja absencja wagary społeczności
lokalna osiedle sąsiedztwo sąsiad sąsiedzi dzielnica gmina gminy powiat miasto miasta wieś centrum ośrodek
ośrodki dom domu domy mieszkanie mieszkania bezdomność schronisko ubóstwo bieda dochód zadłużenie
bezrobocie zatrudnienie praca pracownicy asystent asystentka asystenci specjalista specjaliści zespół
zespoły wolontariusz wolontariusze wolontariat mentor mentoring wspierać wspieranie grupy grupie spotkanie
spotkania sesja sesje warsztat warsztaty szkolenie szkolenia kurs wizyta wizyty domowe skierowanie ocena
diagnoza plan plany planowanie opieka opiekun opiekunowie piecza zastępcza adopcja ochrona dobrostan
zdrowie psychiczne choroba niepełnosprawność uzależnienie alkohol zdrowienie terapia terapeuta terapeuci
psycholog psycholodzy trauma przywiązanie odporność przemoc krzywdzenie zaniedbanie konflikt konflikty
rozwód rozstanie migrant migranci migracja uchodźcy uchodźców azyl integracja włączenie wykluczenie
izolacja samotność dyskryminacja romowie romska mniejszość tłumacz kulturowy międzykulturowy sieć sieci
partnerstwo współpraca koordynacja instytucja instytucje usługa usługi agencja stowarzyszenie organizacja
organizacje polityka finansowanie budżet dowody wynik wyniki wpływ wskaźniki ankieta wywiad wywiady
badanie badania pilotaż projekt projekty program programy interwencja interwencje praktyka praktyki metoda
metody podejście model narzędzie narzędzia przewodnik wczesna wczesne profilaktyka zapobieganie kryzys
ryzyko zagrożenie wrażliwy ochronne zasoby upodmiotowienie uczestnictwo partycypacja zaangażowanie głos
dialog zaufanie relacja relacje więź komunikacja słuchanie szacunek godność autonomia umiejętności
kompetencje uczenie edukacja edukacyjny edukacyjna czytanie lekcje zabawa świetlica przedszkole żłobek
biblioteka sport muzyka sztuka ogród kuchnia posiłek posiłki żywienie śniadanie cyfrowy online wideo
telefon spotykają dzielą uczą angażować poprawić wzmacniać ograniczyć zapobiegać pomagać pomagają rozwijać
organizować zapraszać słuchać rozmawiać gotować towarzyszyć zachęcać budować decydować razem cotygodniowe
comiesięczne lokalny regionalny krajowy europejski wiejski miejski nieformalny interdyscyplinarny
kompleksowy trwały trudny pozytywny samotni wykluczone zagrożone
""",
    "is": """
fjölskylda fjölskyldur foreldrar börn stuðningur samfélag félagsráðgjafi skóli hópur barna fjölskyldunnar
fjölskyldna foreldri foreldra foreldrahlutverk barn barnið barnæska móðir mæður faðir feður afi amma afar
systkini ungbarn ungbörn unglingur unglingar ungmenni ungt nemandi nemendur skólar skólanum kennari
kennarar bekkur skólasókn brottfall samfélög hverfi hverfið nágranni nágrannar sveitarfélag
sveitarfélaga bær borg þorp miðstöð heimili heimilið heimilum húsnæði heimilisleysi athvarf fátækt
tekjur skuldir atvinnuleysi atvinna vinna starfsmaður starfsmenn félagsráðgjafar félagsþjónusta fagfólk
fagaðili teymi sjálfboðaliði sjálfboðaliðar sjálfboðastarf leiðbeinandi handleiðsla stuðning hópar
hópnum jafningjastuðningur fundur fundir námskeið námskeiða vinnustofa fræðsla heimsókn heimsóknir
heimaþjónusta tilvísun mat áætlun áætlanir skipulag umönnun umönnunaraðili fóstur fósturfjölskylda
vistun ættleiðing barnavernd vernd velferð vellíðan heilsa heilbrigði geðheilbrigði geðheilsa sjúkdómur
fötlun fíkn áfengi bati meðferð meðferðaraðili sálfræðingur sálfræðingar áfall tengslamyndun seigla
ofbeldi heimilisofbeldi vanræksla ágreiningur skilnaður forsjá innflytjandi innflytjendur
fólksflutningar flóttamenn flóttafólk hæli aðlögun inngilding útilokun einangrun einmanaleiki mismunun
minnihluti túlkur menning fjölmenning fjölmenningarlegt tengslanet samstarf samvinna samhæfing stofnun
stofnanir þjónusta þjónustu samtök félag stefna stefnumótun fjármögnun fjárhagsáætlun gögn niðurstaða
niðurstöður áhrif mælikvarðar könnun viðtal viðtöl rannsókn rannsóknir tilraunaverkefni verkefni
verkefnið inngrip úrræði úrræða aðferð aðferðir nálgun líkan verkfæri leiðbeiningar snemmtæk forvarnir
fyrirbyggjandi kreppa neyð áhætta áhættuþættir viðkvæm verndandi styrkleikar valdefling þátttaka
þátttöku rödd samtal traust tengsl samskipti hlustun virðing reisn sjálfstæði færni hæfni nám menntun
lestur lestrarfærni heimanám leikur leikskóli frístund bókasafn íþróttir tónlist list garður eldhús
máltíð máltíðir matur morgunmatur stafrænt myndband sími hittast deila læra bæta styrkja hjálpa þróa
skipuleggja bjóða hlusta tala elda fylgja hvetja byggja ákveða saman vikulega mánaðarlega staðbundið
svæðisbundið landsvísu evrópskt dreifbýli þéttbýli óformlegt þverfaglegt heildræn sjálfbær erfitt
jákvætt einstæðir
""",
    "el": """
οικογένεια οικογένειες γονείς παιδιά υποστήριξη κοινότητα κοινωνική σχολείο ομάδα παιδιών οικογενειακή
οικογενειακό γονέας γονεϊκότητα παιδί παιδική μητέρα μητέρες πατέρας πατέρες παππούς γιαγιά αδέλφια
βρέφος βρέφη έφηβος έφηβοι εφηβεία νέος νέοι νεολαία μαθητής μαθητές σχολεία εκπαιδευτικός εκπαιδευτικοί
δάσκαλος τάξη φοίτηση σχολική διαρροή κοινότητες γειτονιά γειτονιές γείτονας γείτονες δήμος δήμοι δημοτική
χωριό πόλη κέντρο κέντρα σπίτι σπίτια νοικοκυριό στέγαση αστεγία ξενώνας φτώχεια εισόδημα χρέη ανεργία
απασχόληση εργασία εργαζόμενος εργαζόμενοι κοινωνικός κοινωνικοί λειτουργός επαγγελματίας επαγγελματίες
ομάδες εθελοντής εθελοντές εθελοντισμός μέντορας καθοδήγηση στήριξη συνάντηση συναντήσεις συνεδρία
συνεδρίες εργαστήριο εργαστήρια εκπαίδευση κατάρτιση μάθημα επίσκεψη επισκέψεις παραπομπή αξιολόγηση
εκτίμηση σχέδιο σχεδιασμός φροντίδα φροντιστής φροντιστές αναδοχή ανάδοχη υιοθεσία προστασία ευημερία
υγεία ψυχική ασθένεια αναπηρία εξάρτηση αλκοόλ ανάρρωση θεραπεία θεραπευτής ψυχολόγος ψυχολόγοι τραύμα
δεσμός ανθεκτικότητα βία κακοποίηση παραμέληση σύγκρουση συγκρούσεις διαζύγιο χωρισμός επιμέλεια
μετανάστης μετανάστες μετανάστευση πρόσφυγες άσυλο ένταξη συμπερίληψη αποκλεισμός απομόνωση μοναξιά
διακρίσεις ρομά μειονότητα διερμηνέας πολιτισμική διαπολιτισμική δίκτυο δίκτυα εταιρική συνεργασία
συντονισμός φορέας φορείς φορέων υπηρεσία υπηρεσίες οργανισμός οργάνωση πολιτική πολιτικές χρηματοδότηση
προϋπολογισμός τεκμήρια αποτέλεσμα αποτελέσματα επίδραση δείκτες έρευνα ερωτηματολόγιο συνέντευξη
συνεντεύξεις μελέτη πιλοτικό έργο πρόγραμμα προγράμματα παρέμβαση παρεμβάσεις πρακτική πρακτικές μέθοδος
μέθοδοι προσέγγιση μοντέλο εργαλείο εργαλεία οδηγός πρώιμη πρόληψη προληπτική κρίση έκτακτη κίνδυνος
κίνδυνοι ευάλωτες ευάλωτοι προστατευτικοί δυνατότητες ενδυνάμωση συμμετοχή συμμετοχική εμπλοκή φωνή
διάλογος εμπιστοσύνη σχέση σχέσεις επικοινωνία ακρόαση σεβασμός αξιοπρέπεια αυτονομία δεξιότητες
ικανότητες μάθηση παιδεία εκπαιδευτικό ανάγνωση εργασίες παιχνίδι παιδότοπος νηπιαγωγείο βρεφονηπιακός
βιβλιοθήκη αθλητισμός μουσική τέχνη κήπος κουζίνα γεύμα γεύματα διατροφή πρωινό ψηφιακό διαδικτυακά
βίντεο τηλέφωνο συναντιούνται μοιράζονται μαθαίνουν συμμετέχουν βελτιώνει ενισχύει μειώνει προλαμβάνει
βοηθά βοηθούν αναπτύσσει οργανώνει προσκαλεί ακούει μιλούν μαγειρεύουν συνοδεύει ενθαρρύνει χτίζει
αποφασίζουν μαζί εβδομαδιαία μηνιαία τοπική περιφερειακή εθνική ευρωπαϊκή αγροτική αστική άτυπη
διεπιστημονική ολιστική βιώσιμη δύσκολη θετική μονογονεϊκές ευπαθείς περιθωριοποιημένες
""",
}

FUNCTION = {
    "en": "the a an of to in and or for with on at by from as is are was were be been it its this that these "
          "those their they we our you not no but if when while about after before during between into than "
          "also more most very all each every other some such can could will would should may must has have "
          "had do does",
    "es": "el la los las un una unos de del al a en y o para con por sin sobre entre desde hasta que como cuando "
          "donde se su sus es son fue era ser está están este esta estos estas ese esa también más muy todo "
          "todos cada otro otros porque pero no ni le les lo nos hay ha han",
    "ro": "și în la de cu pe pentru din care ce a al ale o un unei unui sau dar nu mai este sunt era au fost se "
          "să cel cea cei cele acest această aceste prin după până între despre foarte toate toți fiecare alte "
          "când unde cum dacă ca lor său sa",
    "fr": "le la les un une des de du et ou pour avec sans sur dans par en au aux que qui dont où est sont était "
          "ont a été se ce cette ces leur leurs son sa ses nous vous ils elles il elle ne pas plus très aussi "
          "tout tous chaque autre entre après avant pendant comme quand si mais",
    "fi": "ja on ei se ne että kun jos tai mutta myös kuin joka jotka ovat oli olivat ole hän he me te tämä "
          "nämä tuo sekä vain jo vielä sitten koska niin mitä miten missä kanssa ilman aikana jälkeen ennen "
          "kaikki jokainen muut",
    "it": "il lo la i gli le un una uno di del della dei delle a al alla in nel nella con per su da dal tra fra "
          "e o ma che chi come quando dove se non più molto anche è sono era erano ha hanno stato questo "
          "questa questi quello loro suo sua ogni tutti altri",
    "pt": "o a os as um uma uns de do da dos das em no na nos nas e ou para com por sem sobre entre até que como "
          "quando onde se seu sua seus é são foi era ser está estão este esta estes isso também mais muito "
          "todo todos cada outro outros porque mas não ao à pelo pela",
    "pl": "i w na z do o że się nie to jest są był była było jak dla od po przez przy oraz lub ale czy jego jej "
          "ich ten ta te tych który która które także bardzo wszystkie każdy inne gdy gdzie już jeszcze tylko "
          "też może",
    "is": "og í á að er sem við um með til frá fyrir en eða ekki var voru eru hafa hefur það þetta þessi þau "
          "þeir þær hann hún sín sinn sína hjá eftir áður meðan milli einnig mjög allir hver annað ef þegar "
          "þar hvernig",
    "el": "και το η ο τα οι των την τον της του στο στη στην στα σε με για από που να δεν θα είναι ήταν έχει "
          "έχουν ως ή αλλά επίσης πολύ όλοι κάθε άλλα όταν όπου πώς αυτό αυτή αυτές μετά πριν κατά μέσα",
}

# Letters for the long tail of rarer words (names of people and places, rarer terms): syllables built
# from each language's letters, so the tail looks like the language and grows with the corpus.
SYLLABLES = {
    "en": ("b br c ch d f g h j k l m n p r s sh st t th tr v w", "a e i o u ea ee oo ai ou", "n r s t l nd rt ck ll"),
    "es": ("b c ch d f g j l ll m n ñ p r rr s t v z", "a e i o u á é í ó ú ia ue", "n r s l z d"),
    "ro": ("b c ch d f g gh j l m n p r s ș t ț v z", "a e i o u ă â î ea oa ie", "n r s l ș ț t"),
    "fr": ("b c ch d f g j l m n p r s t v qu gr tr", "a e i o u é è ê ou ai au eau oi", "n r s l t x"),
    "fi": ("h j k l m n p r s t v", "a e i o u y ä ö aa ee ii uu ää öö ai ei", "n s t l r"),
    "it": ("b c ch d f g gh l m n p r s t v z gl sc", "a e i o u à è ì ò ù ia io", "n r l"),
    "pt": ("b c ç d f g j l lh m n nh p r s t v x", "a e i o u ã õ á é ê ó ão", "s r l m"),
    "pl": ("b c cz d dz g h k l ł m n p r rz s sz t w z ż ś", "a e i o u y ą ę ó ie", "k n r s ść ń ł"),
    "is": ("b d ð f g h j k l m n p r s t v þ", "a e i o u y á é í ó ú ý æ ö au ei", "r n ð l s t"),
    "el": ("β γ δ θ κ λ μ ν π ρ σ τ φ χ ψ ζ", "α ε η ι ο υ ω ά έ ή ί ό ύ ώ ου αι ει", "ς ν ρ"),
}

LANGUAGE_WEIGHTS = {"en": 30, "es": 11, "ro": 10, "fr": 8, "fi": 7, "it": 8, "pt": 6, "pl": 8, "is": 4, "el": 8}

# 40 institutions: slug, country, languages written there (English is written everywhere too).
INSTITUTIONS = [
    ("fundacion-familias-sevilla", "ES", "es"), ("centro-familia-madrid", "ES", "es"),
    ("asociacion-barrio-valencia", "ES", "es"), ("servicios-sociales-bilbao", "ES", "es"),
    ("asociatia-casa-arad", "RO", "ro"), ("centrul-familia-cluj", "RO", "ro"), ("fundatia-copiii-iasi", "RO", "ro"),
    ("dgaspc-timis", "RO", "ro"), ("maison-familles-lyon", "FR", "fr"), ("reseau-parents-lille", "FR", "fr"),
    ("association-quartier-marseille", "FR", "fr"), ("cgg-brussel", "BE", "fr"), ("maison-relais-esch", "LU", "fr"),
    ("perhekeskus-tampere", "FI", "fi"), ("perheneuvola-oulu", "FI", "fi"), ("lastensuojelu-turku", "FI", "fi"),
    ("centro-famiglie-bologna", "IT", "it"), ("cooperativa-sociale-napoli", "IT", "it"),
    ("comunita-educante-torino", "IT", "it"), ("servizi-sociali-palermo", "IT", "it"),
    ("associacao-familias-porto", "PT", "pt"), ("cpcj-lisboa", "PT", "pt"), ("centro-comunitario-braga", "PT", "pt"),
    ("osrodek-rodzina-krakow", "PL", "pl"), ("mops-gdansk", "PL", "pl"), ("fundacja-dzieci-wroclaw", "PL", "pl"),
    ("stowarzyszenie-lodz", "PL", "pl"), ("fjolskyldumidstod-reykjavik", "IS", "is"),
    ("barnavernd-akureyri", "IS", "is"), ("kentro-oikogeneias-thessaloniki", "GR", "el"),
    ("dimos-athinas-koinoniki", "GR", "el"), ("kentro-koinotitas-patras", "GR", "el"),
    ("oikogeneia-lefkosia", "CY", "el"), ("family-centre-leeds", "GB", "en"), ("community-hub-glasgow", "GB", "en"),
    ("parenting-network-cardiff", "GB", "en"), ("barnardos-dublin", "IE", "en"), ("family-support-cork", "IE", "en"),
    ("agenzija-appogg-valletta", "MT", "en"), ("social-work-academy-utrecht", "NL", "en"),
]

TAGS_EN = """interfamily groups|home visits|parenting|fathers|early childhood|foster care|school|attendance|peer support|
recovery|community mapping|volunteers|migrant families|outreach|youth|homework|mental health|kinship care|roma|
single parents|digital inclusion|domestic violence|housing|poverty|resilience|attachment|family group conference|
child protection|reunification|adolescents|substance use|disability|refugees|language learning|mentoring|
play|nutrition|prevention|trauma-informed|co-production|evaluation|multi-agency|loneliness|grandparents|
young carers|school dropout|employment|debt advice|neighbourhood|sport""".replace("\n", "").split("|")

SECTORS = ["social", "educational", "mental_health"]
INTERVENTION_TYPES = ["family", "community", "group", "individual", "peer", "digital"]
DOC_TYPES = [("practice", 62), ("essay", 20), ("visit", 11), ("offer", 6), ("institution", 1)]
START_DATE = datetime(2021, 1, 1)
FACETS = ("type", "sector", "country", "language", "year", "institution")


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(text.split()))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Zipf:
    """Draws words with probability 1 / (rank + 2.7)."""

    def __init__(self, words: list[str], exponent: float = 1.0):
        self.words = words
        self.cum = list(itertools.accumulate(1.0 / (rank + 2.7) ** exponent for rank in range(len(words))))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


class Language:
    def __init__(self, code: str, rng: random.Random, tail_size: int):
        self.code = code
        content = _words(CONTENT[code])
        head, rest = content[:12], content[12:]
        rng.shuffle(rest)
        self.content = head + rest
        self.function = _words(FUNCTION[code])
        self.content_zipf = Zipf(self.content)
        self.function_zipf = Zipf(self.function, exponent=0.8)
        onsets, vowels, codas = (part.split() for part in SYLLABLES[code])
        tail = set()
        while len(tail) < tail_size:
            syllables = rng.randint(2, 4)
            word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
            if rng.random() < 0.5:
                word += rng.choice(codas)
            if word not in self.content:
                tail.add(word)
        self.tail = sorted(tail)
        rng.shuffle(self.tail)
        self.tail_zipf = Zipf(self.tail, exponent=1.05)


# --- the corpus --------------------------------------------------------------------------------------

class Corpus:
    def __init__(self, seed: int, tail_size: int = 20_000):
        rng = random.Random(seed)
        self.seed = seed
        self.languages = {code: Language(code, rng, tail_size) for code in LANGUAGE_WEIGHTS}
        self.codes = list(LANGUAGE_WEIGHTS)
        self.weights = list(LANGUAGE_WEIGHTS.values())
        self.by_language = {code: [inst for inst in INSTITUTIONS if inst[2] == code] for code in self.codes}
        self.by_language["en"] = list(INSTITUTIONS)  # everybody writes English too
        self.institution_ids = {slug: n for n, (slug, _c, _l) in enumerate(INSTITUTIONS, start=1)}

    def _text(self, rng: random.Random, lang: Language, topic: list[str], n: int,
              phrases: list | None = None) -> str:
        english = self.languages["en"]
        function = lang.function_zipf.draw(rng, n)
        content = lang.content_zipf.draw(rng, n)
        tail = lang.tail_zipf.draw(rng, n // 20 + 1)
        loans = english.content_zipf.draw(rng, n // 30 + 1)
        tokens = []
        fi = ci = ti = li = 0
        random_ = rng.random
        for _ in range(n):
            r = random_()
            if r < 0.40:
                tokens.append(function[fi]); fi += 1  # noqa: E702
            elif r < 0.43 and ti < len(tail):
                tokens.append(tail[ti]); ti += 1  # noqa: E702
            elif r < 0.445:
                tokens.append(str(rng.randint(2, 500)) if random_() < 0.7 else str(rng.randint(1990, 2025)))
            elif r < 0.47 and lang.code != "en" and li < len(loans):
                tokens.append(loans[li]); li += 1  # noqa: E702
            elif r < 0.60:
                tokens.append(topic[int(random_() * len(topic))])
            else:
                tokens.append(content[ci]); ci += 1  # noqa: E702
        if phrases is not None and n > 20:
            start = rng.randrange(0, n - 3)
            phrases.append((lang.code, tokens[start:start + rng.choice((2, 2, 3))]))
        parts, sentence_left, paragraph_left = [], 0, rng.randint(3, 7)
        for token in tokens:
            if sentence_left == 0:
                if parts:
                    parts[-1] += "."
                    paragraph_left -= 1
                    if paragraph_left == 0:
                        parts[-1] += "\n\n"
                        paragraph_left = rng.randint(3, 7)
                sentence_left = rng.randint(6, 20)
                token = token[:1].upper() + token[1:]
            parts.append(token)
            sentence_left -= 1
        return " ".join(parts).replace("\n\n ", "\n\n") + "."

    def document(self, i: int, phrases: list | None = None) -> SearchDocument:
        rng = random.Random(self.seed * 10_000_019 + i)
        code = rng.choices(self.codes, weights=self.weights)[0]
        lang = self.languages[code]
        slug, country, _ = rng.choice(self.by_language[code])
        doc_type = rng.choices([t for t, _ in DOC_TYPES], weights=[w for _, w in DOC_TYPES])[0]
        topic = rng.sample(lang.content[:150], 8)
        title_words = []
        for k in range(rng.randint(5, 12)):
            r = rng.random()
            if r < 0.45:
                title_words.append(rng.choice(topic))
            elif r < 0.75 or k == 0:
                title_words.append(lang.content_zipf.draw(rng, 1)[0])
            else:
                title_words.append(lang.function_zipf.draw(rng, 1)[0])
        title = " ".join(title_words)
        title = title[:1].upper() + title[1:]
        tags = []
        for _ in range(rng.randint(2, 5)):
            tags.append(rng.choice(TAGS_EN) if rng.random() < 0.6 else rng.choice(topic))
        date = START_DATE + timedelta(days=rng.randint(0, 5 * 365 - 1), seconds=rng.randint(0, 86_399))
        return SearchDocument(
            doc_type=doc_type,
            doc_id=i,
            title=title,
            url=f"/{doc_type}s/{i}",
            summary=self._text(rng, lang, topic, rng.randint(20, 60)),
            body=self._text(rng, lang, topic, rng.randint(150, 1000), phrases),
            tags=list(dict.fromkeys(tags)),
            sectors=rng.sample(SECTORS, rng.choices((1, 2), weights=(70, 30))[0]),
            intervention_types=rng.sample(INTERVENTION_TYPES, rng.randint(1, 3)) if doc_type == "practice" else [],
            country=country,
            language=code,
            institution=slug,
            institution_id=self.institution_ids[slug],
            partnership_id=rng.randint(1, 20) if rng.random() < 0.6 else None,
            date=date,
            status="published" if rng.random() < 0.88 else "draft",
            visibility="public" if rng.random() < 0.85 else "members",
        )


def write_corpus(corpus: Corpus, n: int, path: Path) -> tuple[list, dict]:
    """The corpus as JSON Lines; returns phrase candidates (from one document in 25) and statistics."""
    phrases: list = []
    words = chars = 0
    languages: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as stream:
        for i in range(1, n + 1):
            document = corpus.document(i, phrases if i % 25 == 0 else None)
            words += len(document.title.split()) + len(document.summary.split()) + len(document.body.split())
            chars += len(document.title) + len(document.summary) + len(document.body)
            languages[document.language] = languages.get(document.language, 0) + 1
            record = asdict(document)
            record["date"] = document.date.isoformat()
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    return phrases, {"words": words, "chars": chars, "languages": languages}


def read_batches(path: Path, size: int = BATCH):
    batch = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            record["date"] = datetime.fromisoformat(record["date"])
            batch.append(SearchDocument(**record))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


# --- queries -----------------------------------------------------------------------------------------

@dataclass
class BenchQuery:
    kind: str
    text: str
    filters: dict = field(default_factory=dict)

    @property
    def key(self):
        return self.text, tuple(sorted(self.filters.items()))

    def describe(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in sorted(self.filters.items()))
        return f"[{self.kind}] {self.text!r}" + (f" {extra}" if extra else "")


QUERY_KINDS = [  # kind, share
    ("1 word", 20), ("2 words", 14), ("3 words", 10), ("phrase", 12), ("prefix", 10), ("facet", 22),
    ("browse", 2), ("unaccented", 4), ("typo", 3), ("rare word", 3),
]


def make_queries(corpus: Corpus, phrases: list, n: int, seed: int, exclude=frozenset()) -> list[BenchQuery]:
    rng = random.Random(seed)
    kinds = [k for k, _ in QUERY_KINDS]
    shares = [w for _, w in QUERY_KINDS]

    def language() -> Language:
        return corpus.languages[rng.choices(corpus.codes, weights=corpus.weights)[0]]

    def word(lang: Language) -> str:
        # People search for the domain's words, common and less common alike.
        if rng.random() < 0.6:
            return lang.content_zipf.draw(rng, 1)[0]
        return rng.choice(lang.content)

    def words(k: int) -> str:
        lang = language()
        chosen = []
        while len(chosen) < k:
            w = word(lang if rng.random() < 0.85 else corpus.languages["en"])
            if w not in chosen:
                chosen.append(w)
        return " ".join(chosen)

    def facet_values() -> dict:
        names = rng.sample(FACETS, rng.choices((1, 2), weights=(70, 30))[0])
        values = {}
        for name in names:
            if name == "type":
                values[name] = rng.choices([t for t, _ in DOC_TYPES], weights=[w for _, w in DOC_TYPES])[0]
            elif name == "sector":
                values[name] = rng.choice(SECTORS)
            elif name == "country":
                values[name] = rng.choice(INSTITUTIONS)[1]
            elif name == "language":
                values[name] = rng.choices(corpus.codes, weights=corpus.weights)[0]
            elif name == "year":
                values[name] = str(rng.randint(START_DATE.year, START_DATE.year + 4))
            else:
                values[name] = rng.choice(INSTITUTIONS)[0]
        return values

    seen, queries, attempts = set(exclude), [], 0
    while len(queries) < n:
        attempts += 1
        if attempts > n * 200:
            raise RuntimeError("could not generate enough distinct queries")
        kind = rng.choices(kinds, weights=shares)[0]
        filters: dict = {}
        if kind == "1 word":
            text = words(1)
        elif kind == "2 words":
            text = words(2)
        elif kind == "3 words":
            text = words(3)
        elif kind == "phrase":
            _code, tokens = rng.choice(phrases)
            text = '"' + " ".join(tokens) + '"'
        elif kind == "prefix":
            lang = language()
            candidates = [w for w in lang.content if len(w) >= 6 and "-" not in w]
            w = rng.choice(candidates)
            length = rng.choice((3, 4, 4, 5, 5, 6))
            stem = w[:length]
            text = (fold(stem) if rng.random() < 0.5 else stem) + "*"
        elif kind == "facet":
            text = words(rng.choice((1, 1, 2)))
            filters = facet_values()
        elif kind == "browse":
            text = ""
            filters = facet_values()
        elif kind == "unaccented":
            lang = corpus.languages[rng.choice([c for c in corpus.codes if c != "en"])]
            accented = [w for w in lang.content if fold(w) != w.lower()]
            text = fold(rng.choice(accented))
        elif kind == "typo":
            lang = language()
            w = rng.choice([w for w in lang.content if len(w) >= 6])
            p = rng.randrange(1, len(w) - 2)
            edit = rng.choice(("swap", "drop", "double"))
            if edit == "swap":
                w = w[:p] + w[p + 1] + w[p] + w[p + 2:]
            elif edit == "drop":
                w = w[:p] + w[p + 1:]
            else:
                w = w[:p] + w[p] + w[p:]
            text = w
        else:  # rare word: a name or rarer term from the long tail
            lang = language()
            text = lang.tail_zipf.draw(rng, 1)[0]
        query = BenchQuery(kind, text, filters)
        if query.key in seen:
            continue
        seen.add(query.key)
        queries.append(query)
    return queries


# --- measuring helpers -------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values_ms: list[float]) -> dict:
    return {"p50": percentile(values_ms, 50), "p95": percentile(values_ms, 95), "p99": percentile(values_ms, 99),
            "max": max(values_ms) if values_ms else float("nan"),
            "mean": statistics.fmean(values_ms) if values_ms else float("nan"),
            "over_1s": sum(1 for v in values_ms if v > 1000)}


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file()) / 1e6


def segment_count(folder: Path) -> int:
    from whoosh import index as whoosh_index

    return len(whoosh_index.open_dir(str(folder))._segments())


def segment_sizes(folder: Path) -> str:
    from whoosh import index as whoosh_index

    return " + ".join(str(s.doc_count_all()) for s in whoosh_index.open_dir(str(folder))._segments())


def in_child(function, *args):
    """Runs function(*args) in a forked process; returns its result with its peak RSS and CPU time."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target():
        try:
            gc.collect()
            cpu = time.process_time()
            result = function(*args)
            result["cpu_s"] = time.process_time() - cpu
            result["peak_rss_mb"] = peak_rss_mb()
            send.send(("ok", result))
        except BaseException:
            send.send(("error", traceback.format_exc()))
        finally:
            send.close()

    process = context.Process(target=target)
    process.start()
    send.close()
    status, payload = receive.recv()
    process.join()
    if status != "ok":
        raise RuntimeError(f"phase {function.__name__} failed:\n{payload}")
    return payload


def _progress(label: str, done: int, total: int, started: float) -> None:
    if sys.stderr.isatty() or os.environ.get("BENCH_PROGRESS"):
        elapsed = time.perf_counter() - started
        print(f"\r  {label}: {done}/{total} ({elapsed:.0f} s)", end="", file=sys.stderr, flush=True)


# --- indexing phases (each runs in a child process) --------------------------------------------------

def phase_ours_incremental(corpus_path: Path, root: Path, total: int, budget: float | None) -> dict:
    """The indexer's path: one SearchIndex.write per 500 (old versions deleted with one searcher,
    add_document for each, one commit merging segments of similar size).
    With a budget (seconds of indexing), stops after the batch that exceeds it."""
    index = SearchIndex(root)
    index.create_empty()
    batch_seconds, merged, started = [], [], time.perf_counter()
    done, segments = 0, 0
    for batch in read_batches(corpus_path):
        t0 = time.perf_counter()
        index.write(batch, [])
        batch_seconds.append(time.perf_counter() - t0)
        after = segment_count(index._current_dir())  # not timed
        merged.append(after <= segments)  # the commit merged segments instead of only adding one
        segments = after
        done += len(batch)
        _progress("ours, incremental", done, total, started)
        if budget and sum(batch_seconds) > budget:
            break
    folder = index._current_dir()
    return {"seconds": sum(batch_seconds), "batch_seconds": batch_seconds, "merged": merged,
            "size_mb": folder_mb(folder), "segments": segment_count(folder), "segment_sizes": segment_sizes(folder), "folder": str(folder),
            "docs": done}


def phase_ours_bulk(corpus_path: Path, root: Path, total: int) -> dict:
    """`flask --app network search reindex` without the database: bulk writer, one commit, swap."""
    index = SearchIndex(root)
    started = time.perf_counter()
    adding = 0.0
    t0 = time.perf_counter()
    folder = index.new_folder()
    writer = index.bulk_writer(folder)
    setup = time.perf_counter() - t0
    done = 0
    try:
        for batch in read_batches(corpus_path):
            t0 = time.perf_counter()
            for document in batch:
                writer.add_document(**to_fields(document))
            adding += time.perf_counter() - t0
            done += len(batch)
            _progress("ours, full reindex", done, total, started)
    except BaseException:
        writer.cancel()
        raise
    t0 = time.perf_counter()
    writer.commit()
    index.swap_to(folder)
    commit = time.perf_counter() - t0
    return {"seconds": setup + adding + commit, "adding_s": adding, "commit_s": commit, "size_mb": folder_mb(folder),
            "segments": segment_count(folder), "folder": str(folder)}


def baseline_schema():
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    return Schema(key=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer()),
                  body=TEXT(analyzer=StemmingAnalyzer()))


def phase_baseline(corpus_path: Path, folder: Path, total: int) -> dict:
    """Plain Whoosh defaults: default writer, add_document, commit every 500."""
    from whoosh import index as whoosh_index

    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), baseline_schema())
    batch_seconds, started, done = [], time.perf_counter(), 0
    for batch in read_batches(corpus_path):
        t0 = time.perf_counter()
        writer = ix.writer()
        for d in batch:
            writer.add_document(key=d.key, title=d.title, body="\n\n".join(p for p in (d.summary, d.body) if p))
        writer.commit()
        batch_seconds.append(time.perf_counter() - t0)
        done += len(batch)
        _progress("baseline", done, total, started)
    return {"seconds": sum(batch_seconds), "batch_seconds": batch_seconds, "size_mb": folder_mb(folder),
            "segments": segment_count(folder), "folder": str(folder)}


# --- querying ----------------------------------------------------------------------------------------

ANONYMOUS = dict(anonymous=True, site_admin=False, member=False, institution_id=None)


def ours(index: SearchIndex, query: BenchQuery):
    return run_search(index, query.text, Filters(values=dict(query.filters), allowed=permission_filter(**ANONYMOUS)),
                      page=1, per_page=20)


class Baseline:
    def __init__(self, folder: Path):
        from whoosh import index as whoosh_index
        from whoosh.qparser import MultifieldParser

        self.ix = whoosh_index.open_dir(str(folder))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)

    def search(self, text: str):
        results = self.searcher.search(self.parser.parse(text), limit=20)
        return [hit["key"] for hit in results], results

    def close(self):
        self.searcher.close()


def timed(function, *args):
    wall, cpu = time.perf_counter(), time.thread_time()
    result = function(*args)
    return result, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def measure_queries(index: SearchIndex, baseline: Baseline | None, queries: list[BenchQuery], label: str) -> list[dict]:
    """One row per query: our latency (and CPU), result count; the baseline's, interleaved."""
    rows = []
    started = time.perf_counter()
    for n, query in enumerate(queries):
        row = {"query": query}
        order = ("ours", "baseline") if n % 2 == 0 else ("baseline", "ours")
        for who in order:
            if who == "ours":
                cuts = CUTS.count
                results, ms, cpu = timed(ours, index, query)
                row.update(ours_ms=ms, ours_cpu_ms=cpu, ours_total=results.total,
                           ours_suggestion=results.suggestion, ours_cut=CUTS.count > cuts)
            elif baseline is not None:
                (keys, results), ms, cpu = timed(baseline.search, query.text)
                row.update(base_ms=ms, base_cpu_ms=cpu, base_hits=len(keys))
        rows.append(row)
        _progress(label, n + 1, len(queries), started)
    if sys.stderr.isatty() or os.environ.get("BENCH_PROGRESS"):
        print(file=sys.stderr)
    return rows


# --- where query time goes ---------------------------------------------------------------------------

class PhraseCuts(logging.Handler):
    """Counts the queries whose phrase check stopped at backend.PHRASE_TIME_LIMIT (the backend logs
    "Search phrase check stopped after ..." for each; their total is then an estimate)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record):
        if "phrase check stopped" in record.getMessage():
            self.count += 1


CUTS = PhraseCuts()


# The functions run_search calls, by the names it finds them under (module globals of the backend, a
# method of the SearchIndex and one of the index version), and what each one does for a query.
STAGE_LABELS = {
    "current": "open the latest index version (index.current)",
    "parse_user_query": "parse the text (parse_user_query)",
    "build_plan": "terms of each word, prefix expansion (build_plan)",
    "_filter_mask": "permission filter as a mask (_filter_mask)",
    "term_mask": "chosen facet values as masks (generation.term_mask)",
    "_match": "word scoring: BM25F over the postings (_match, own time)",
    "_phrase_candidates": "quoted phrases: every word present (_phrase_candidates)",
    "_phrase_docs in _match": "quoted phrases: word positions (_phrase_docs in _match)",
    "_best": "top of the page by score (_best, own time)",
    "_phrase_docs in _best": "proximity re-rank of the best (_phrase_docs in _best)",
    "_newest": "newest first, browsing and date sort (_newest)",
    "_hit": "stored fields of the hits (_hit without snippets)",
    "make_snippet": "snippets (make_snippet)",
    "_facet_counts": "facet counts (_facet_counts)",
    "spelling_suggestion": "spelling suggestion (spelling_suggestion)",
    "suggestion check": "spelling: does the suggestion find more (build_plan + _match)",
    "rest": "rest of run_search (lock, counts, page slice, ...)",
}
# Called inside another timed function but timed on their own (the outer one is charged without them).
OWN_WHEN_NESTED = {"make_snippet", "_phrase_candidates", "_phrase_docs"}
# Of those, charged apart according to the timed function they are called from ("_phrase_docs in _best").
BY_CALLER = {"_phrase_docs"}
# Calls after the spelling suggestion that belong to checking it.
SUGGESTION_CHECK = {"parse_user_query", "build_plan", "_match", "_phrase_candidates", "_phrase_docs"}


class StageTimer:
    """Wraps the functions above with timers, for one pass over the queries (the latency figures come
    from a pass without it). Each call is charged its own time minus the timed calls inside it; a call
    nested in another timed function is charged to that one (a _filter_mask inside _filter_mask, the
    term_mask calls inside _facet_counts), except make_snippet, _phrase_candidates and _phrase_docs, which
    are charged to themselves (the innermost timed function), _phrase_docs apart for _match (quoted
    phrases) and _best (proximity); parse_user_query, build_plan and _match calls after the spelling
    suggestion (with what they call) are charged to checking the suggestion."""

    MODULE_FUNCTIONS = ("parse_user_query", "build_plan", "_filter_mask", "_match", "_phrase_candidates",
                        "_phrase_docs", "_best", "_newest", "_hit", "make_snippet", "_facet_counts",
                        "spelling_suggestion")

    def __init__(self, index: SearchIndex):
        self.index = index
        self.stack: list[list] = []  # [label, time of timed calls inside it, name]
        self.current: dict[str, float] = {}
        self.after_suggestion = False

    def _wrap(self, name, function):
        def timed_call(*args, **kwargs):
            if self.stack and name not in OWN_WHEN_NESTED:
                return function(*args, **kwargs)
            label = name
            if self.after_suggestion and name in SUGGESTION_CHECK:
                label = "suggestion check"
            elif name in BY_CALLER and self.stack:
                label = f"{name} in {self.stack[-1][2]}"
            frame = [label, 0.0, name]
            self.stack.append(frame)
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                self.stack.pop()
                if self.stack:
                    self.stack[-1][1] += elapsed
                self.current[label] = self.current.get(label, 0.0) + elapsed - frame[1]
                if name == "spelling_suggestion":
                    self.after_suggestion = True
        return timed_call

    @contextmanager
    def installed(self):
        originals = {name: getattr(backend, name) for name in self.MODULE_FUNCTIONS}
        term_mask = backend._Generation.term_mask
        for name, function in originals.items():
            setattr(backend, name, self._wrap(name, function))
        backend._Generation.term_mask = self._wrap("term_mask", term_mask)
        self.index.current = self._wrap("current", SearchIndex.current.__get__(self.index))
        try:
            yield
        finally:
            for name, function in originals.items():
                setattr(backend, name, function)
            backend._Generation.term_mask = term_mask
            del self.index.current

    def run(self, query: "BenchQuery") -> tuple[float, dict[str, float]]:
        self.current, self.after_suggestion = {}, False
        t0 = time.perf_counter()
        ours(self.index, query)
        total = time.perf_counter() - t0
        self.current["rest"] = max(0.0, total - sum(self.current.values()))
        return total * 1000, {k: v * 1000 for k, v in self.current.items()}


def stage_breakdown(index: SearchIndex, queries: list["BenchQuery"]) -> str:
    """One more pass over all the queries with the stage timers: where the time goes, over all queries
    and over the slowest 5 % (the p95 tail)."""
    timer = StageTimer(index)
    with timer.installed():
        runs = [timer.run(query) for query in queries]
    slow = sorted(runs, key=lambda run: -run[0])[:max(1, len(runs) // 20)]
    all_ms = sum(total for total, _ in runs)
    slow_ms = sum(total for total, _ in slow)
    lines = [f"  {'stage':<62} {'all queries':>17} {'slowest 5 %':>17}   ran in   p50 / p95 / max when it ran (ms)",
             f"  {'(timed pass, ' + str(len(runs)) + ' queries, ' + format(all_ms, ',.0f') + ' ms in all)':<62}"
             f" {'ms':>10} {'share':>6} {'ms':>10} {'share':>6}"]
    for name, label in STAGE_LABELS.items():
        times = [stages.get(name, 0.0) for _, stages in runs]
        ran = [stages[name] for _, stages in runs if name in stages]
        tail = sum(stages.get(name, 0.0) for _, stages in slow)
        if not ran:
            continue
        lines.append(f"  {label:<62} {sum(times):10,.0f} {100 * sum(times) / all_ms:5.1f}% {tail:10,.0f} "
                     f"{100 * tail / slow_ms:5.1f}%   {len(ran):4d}   {percentile(ran, 50):7.1f} / "
                     f"{percentile(ran, 95):7.1f} / {max(ran):7.1f}")
    totals = [total for total, _ in runs]
    lines.append(f"  (this pass: p50 {percentile(totals, 50):.1f} ms, p95 {percentile(totals, 95):.1f} ms; "
                 f"the slowest 5 % are {len(slow)} queries of {slow[-1][0]:.0f}-{slow[0][0]:.0f} ms)")
    return "\n".join(lines)


SCORED_FIELDS = ("title_plain", "body_plain", "tags", "tags_text", "title_stem", "body_stem")


def _version_arrays(generation, costs: dict[str, float]) -> None:
    """Builds what queries use of an index version, timing each kind (ms, added to costs)."""
    steps = [
        ("facet arrays (6 facets)", lambda: [(generation.facet(name), generation.facet_codes(name))
                                             for name in backend.FACET_FIELDS]),
        ("dates", generation.dates),
        ("field lengths", lambda: [(generation.lengths(name), generation.average_length(name))
                                   for name in SCORED_FIELDS]),
        ("anonymous permission mask", lambda: backend._filter_mask(permission_filter(**ANONYMOUS), generation)),
    ]
    for label, step in steps:
        t0 = time.perf_counter()
        step()
        costs[label] = costs.get(label, 0.0) + (time.perf_counter() - t0) * 1000


def phase_first_query_costs(source_root: Path, copy_root: Path, document: SearchDocument) -> dict:
    """What the first query pays on top of its own work (in a child process, so that nothing is warm):
    1. cold start, as a new web process: a new SearchIndex on the index, current() (opens every segment)
       and the arrays queries use (facets, dates, lengths, the anonymous permission mask);
    2. after a commit: on a copy of the index, a warm SearchIndex (as a web process that has been
       answering queries) while another SearchIndex (the indexer) writes one new document; then the web
       process's current() (only the new segment is opened, the others' data is kept) and the arrays of
       the new version, built again from the segments' kept arrays."""
    cold = {}
    index = SearchIndex(source_root)
    t0 = time.perf_counter()
    with index.reading:
        generation = index.current()
        cold["current() (opening every segment)"] = (time.perf_counter() - t0) * 1000
        _version_arrays(generation, cold)
    index.close()

    shutil.copytree(source_root, copy_root)
    web, indexer = SearchIndex(copy_root), SearchIndex(copy_root)
    allowed = permission_filter(**ANONYMOUS)
    with web.reading:
        _version_arrays(web.current(), {})
    run_search(web, "family", Filters(allowed=allowed))
    before = segment_sizes(indexer._current_dir())
    t0 = time.perf_counter()
    indexer.write([document], [])
    write_ms = (time.perf_counter() - t0) * 1000
    after = {}
    t0 = time.perf_counter()
    with web.reading:
        generation = web.current()
        after["current() (opening the new version)"] = (time.perf_counter() - t0) * 1000
        _version_arrays(generation, after)
    after_segments = " + ".join(str(data.size) for data, _, _ in generation.leaves)
    web.close()
    indexer.close()
    shutil.rmtree(copy_root, ignore_errors=True)
    return {"cold": cold, "after_commit": after, "write_ms": write_ms, "segments_before": before,
            "segments_after": after_segments}


STAGES = [  # cProfile: (label, function name, file fragment, caller name or None)
    ("index version: index.current", "current", "backend.py", "run_search"),
    ("parse the text", "parse_user_query", "backend.py", "_run_search"),
    ("plan: build_plan (+ the suggestion's)", "build_plan", "backend.py", "_run_search"),
    ("permission mask: _filter_mask", "_filter_mask", "backend.py", "_run_search"),
    ("match + score: _match (+ the suggestion's)", "_match", "backend.py", "_run_search"),
    ("  of which _phrase_candidates", "_phrase_candidates", "backend.py", "_match"),
    ("  of which phrase positions: _phrase_docs", "_phrase_docs", "backend.py", "_match"),
    ("top of the page: _best", "_best", "backend.py", "_run_search"),
    ("  of which proximity re-rank: _phrase_docs", "_phrase_docs", "backend.py", "_best"),
    ("newest first: _newest", "_newest", "backend.py", "_run_search"),
    ("hits: _hit (stored fields + snippet)", "_hit", "backend.py", None),  # called from a list comprehension
    ("  of which make_snippet", "make_snippet", "backend.py", "_hit"),
    ("facet counts: _facet_counts", "_facet_counts", "backend.py", "_run_search"),
    ("spelling_suggestion", "spelling_suggestion", "backend.py", "_run_search"),
]


def _stage_time(stats: pstats.Stats, name: str, fragment: str, caller: str | None) -> float:
    total = 0.0
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, callers) in stats.stats.items():
        if function != name or fragment not in filename:
            continue
        if caller is None:
            total += cumulative
        else:
            total += sum(values[3] for (cfile, _l, cfunction), values in callers.items() if cfunction == caller)
    return total


def profile_queries(index: SearchIndex, queries: list[BenchQuery], title: str) -> None:
    print(f"\nProfile of {title} (cProfile inflates every time; compare shares):")
    combined = None
    for query in queries:
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.enable()
        results = ours(index, query)
        profiler.disable()
        elapsed = (time.perf_counter() - t0) * 1000
        stats = pstats.Stats(profiler)
        parts = []
        for label, name, fragment, caller in STAGES:
            seconds = _stage_time(stats, name, fragment, caller)
            if seconds * 1000 >= 0.5:
                parts.append(f"{label.strip()} {seconds * 1000:.0f}")
        print(f"  {query.describe()}: {elapsed:.0f} ms profiled, {results.total} results; " + "; ".join(parts))
        combined = stats if combined is None else combined.add(profiler)
    if combined is None:
        return
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in combined.stats.values())
    print(f"\n  Stages, all {len(queries)} profiled queries together ({total * 1000:.0f} ms of profiled time):")
    for label, name, fragment, caller in STAGES:
        seconds = _stage_time(combined, name, fragment, caller)
        print(f"    {label:<48} {seconds * 1000:8.0f} ms  {100 * seconds / total:5.1f} %")
    stream = io.StringIO()
    combined.stream = stream
    combined.sort_stats("tottime").print_stats(18)
    print("\n  Top functions by own time (tottime):")
    print(_trim_pstats(stream.getvalue()))
    stream = io.StringIO()
    combined.stream = stream
    combined.sort_stats("cumulative").print_stats(28)
    print("  Top functions by cumulative time:")
    print(_trim_pstats(stream.getvalue()))


def _trim_pstats(text: str) -> str:
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    site = str(Path(sys.prefix))
    packages = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages/"
    return "\n".join("    " + line.replace(site + packages, "").replace(
        str(Path(__file__).resolve().parent.parent) + "/", "") for line in lines[start:] if line.strip())


def query_shape(index: SearchIndex, query: BenchQuery) -> str:
    """How big our plan for this text is: words, their terms, terms found, postings to read, phrases."""
    with index.reading:
        generation = index.current()
        parsed = backend.parse_user_query(query.text)
        plan = backend.build_plan(parsed, generation.reader) if not parsed.empty else None
        if plan is None:
            return "no words (every visible document, newest first)"
        reader = generation.reader
        terms = [term for word in plan.words for term in word]
        frequencies = [reader.doc_frequency(fieldname, text) for fieldname, text in terms]
    found = sum(1 for f in frequencies if f > 0)
    text = (f"{len(plan.words)} words or prefixes ({len(terms)} terms, {found} found in the index), "
            f"{sum(frequencies)} postings to read")
    if plan.phrases:
        text += f"; {len(plan.phrases)} quoted phrase{'s' if len(plan.phrases) > 1 else ''} (word positions checked)"
    if plan.proximity:
        text += f"; proximity re-rank of the best {backend.PROXIMITY_CANDIDATES}"
    return text


# --- the indexer on the full index: freshness and profile ---------------------------------------------

INDEX_STAGES = [  # cProfile of SearchIndex.write: (label, function, file fragment, caller or None)
    ("opening the index (open_or_create)", "open_or_create", "backend.py", "write"),
    ("opening its writer (ix.writer)", "writer", "index.py", "write"),
    ("the kept index version for the deletions (index.current)", "current", "backend.py", "write"),
    ("  or a searcher of its own (writer.searcher)", "searcher", "writing.py", "write"),
    ("deleting the old versions (delete_by_term)", "delete_by_term", "writing.py", "write"),
    ("to_fields (of which _stems: the language analysis below)", "to_fields", "backend.py", "write"),
    ("  _stems", "_stems", "backend.py", None),
    ("add_document (analysing and buffering every field)", "add_document", "writing.py", "write"),
    ("commit (all of it)", "commit", "writing.py", "write"),
    ("  merging segments of similar size (_merge_similar_segments)", "_merge_similar_segments", "backend.py", None),
    ("  writing postings (add_postings)", "add_postings", "codec", None),
    ("anywhere: opening segment sub-files (BytesIO copies of the mmap)", "open_file", "compound.py", None),
]


def phase_indexer(corpus: Corpus, corpus_path: Path, source_root: Path, root: Path, docs: int, probes: int = 5) -> dict:
    """On a copy of our full index, as the indexer and a web process see it:
    1. freshness: the indexer writes one new document (index.write([doc], [])) and a web process's
       long-lived SearchIndex searches for a word only that document has; timed from the write to the
       search that finds it (the first search after a commit opens the new index version - only the new
       segments - and builds the version's arrays it needs from the segments' kept ones);
    2. the indexer updating a batch of 500 existing documents, unprofiled, then another under cProfile."""
    shutil.copytree(source_root, root)
    indexer, web = SearchIndex(root), SearchIndex(root)
    allowed = permission_filter(**ANONYMOUS)
    run_search(web, "family", Filters(allowed=allowed))  # the web process is warm
    lines = [f"  on a copy of the full index ({segment_count(indexer._current_dir())} segments: "
             f"{segment_sizes(indexer._current_dir())} documents)"]
    lines.append("  freshness: index.write of one new document, then the web process's search for a word only it has "
                 "(ms): write + first search (new version opened, its arrays built) = visible after; second search")
    visible_ms = []
    for k in range(probes):
        probe = dataclasses.replace(corpus.document(docs + 1 + k), doc_type="practice", status="published",
                                    visibility="public")
        probe.title += f" zqxprobe{k}"
        t0 = time.perf_counter()
        indexer.write([probe], [])
        t1 = time.perf_counter()
        first = run_search(web, f"zqxprobe{k}", Filters(allowed=allowed))
        t2 = time.perf_counter()
        run_search(web, f"zqxprobe{k}", Filters(allowed=allowed))
        t3 = time.perf_counter()
        found = any(hit.doc_id == probe.doc_id for hit in first.hits) and first.total == 1
        visible_ms.append((t2 - t0) * 1000)
        lines.append(f"    probe {k + 1}: {(t1 - t0) * 1000:7.0f} + {(t2 - t1) * 1000:6.0f} = {(t2 - t0) * 1000:7.0f} ms"
                     f" {'found' if found else 'NOT FOUND'}; second search {(t3 - t2) * 1000:5.0f} ms")
    batches = read_batches(corpus_path, BATCH)
    timed_batch, profiled_batch = next(batches), next(batches, None)
    before = segment_count(indexer._current_dir())
    t0, cpu = time.perf_counter(), time.process_time()
    indexer.write(timed_batch, [])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu
    lines.append(f"  updating {len(timed_batch)} existing documents (one index.write): {seconds:.1f} s, CPU {cpu:.1f} s "
                 f"= {len(timed_batch) / seconds:.1f} docs/s; segments {before} -> "
                 f"{segment_count(indexer._current_dir())} (a commit merges {backend.MERGE_FACTOR} segments of "
                 f"similar size when they hold at most {backend.MERGE_MAX_DOCS:,} documents in all)")
    result = {"text": "", "visible_ms": visible_ms, "update_docs_per_s": len(timed_batch) / seconds}
    if profiled_batch:
        profiler = cProfile.Profile()
        profiler.enable()
        indexer.write(profiled_batch, [])
        profiler.disable()
        stats = pstats.Stats(profiler)
        total_s = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.stats.values())
        lines.append(f"  profile of another index.write updating {len(profiled_batch)} documents, {total_s:.1f} s profiled "
                     f"(segments after: {segment_sizes(indexer._current_dir())}):")
        for label, name, fragment, caller in INDEX_STAGES:
            seconds = _stage_time(stats, name, fragment, caller)
            lines.append(f"    {label:<70} {seconds:6.2f} s  {100 * seconds / total_s:5.1f} %")
        stream = io.StringIO()
        stats.stream = stream
        stats.sort_stats("tottime").print_stats(15)
        lines.append("  Top functions by own time:")
        lines.append(_trim_pstats(stream.getvalue()))
    result["text"] = "\n".join(lines)
    return result


# --- the report --------------------------------------------------------------------------------------

def fmt(value, digits=0) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def ratio(a, b) -> str:
    if not a or not b or a != a or b != b:
        return "-"
    return f"{a / b:.2f}x"


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for n, row in enumerate(rows):
        print("  " + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


BASELINE_FIGURES = "baseline.json"  # the baseline's indexing figures, for a later --reuse of the directory


def write_baseline_figures(path: Path, base: dict, docs: int, seed: int) -> None:
    figures = {name: base[name] for name in ("seconds", "cpu_s", "peak_rss_mb", "batch_seconds", "size_mb",
                                             "segments")}
    figures.update(docs=docs, seed=seed, date=datetime.now().strftime("%Y-%m-%d %H:%M"),
                   machine=f"{platform.platform()}, {os.cpu_count()} CPUs",
                   whoosh=__import__("whoosh").versionstring())
    path.write_text(json.dumps(figures, indent=1) + "\n")


def read_corpus(corpus: Corpus, path: Path) -> tuple[list, dict, int]:
    """A corpus file kept by an earlier run: its statistics, its document count and the phrase candidates
    (the documents they come from, one in 25, generated again and compared with the file, which also
    checks that it was made with this --seed)."""
    phrases: list = []
    words = chars = n = 0
    languages: dict[str, int] = {}
    with path.open(encoding="utf-8") as stream:
        for n, line in enumerate(stream, start=1):
            record = json.loads(line)
            words += len(record["title"].split()) + len(record["summary"].split()) + len(record["body"].split())
            chars += len(record["title"]) + len(record["summary"]) + len(record["body"])
            languages[record["language"]] = languages.get(record["language"], 0) + 1
            if n == 1 or n % 25 == 0:
                document = corpus.document(n, phrases if n % 25 == 0 else None)
                try:  # as read_batches reads it (fields the file lacks take their defaults)
                    kept = SearchDocument(**dict(record, date=datetime.fromisoformat(record["date"])))
                except TypeError:
                    kept = None
                if kept != document:
                    sys.exit(f"bench/search.py: error: document {n} of {path} is not the one --seed {corpus.seed} "
                             "generates (another seed, or another version of this script)")
    return phrases, {"words": words, "chars": chars, "languages": languages}, n


def reused_baseline(directory: Path, docs: int, seed: int) -> dict:
    """The baseline index of a kept directory, with its indexing figures from the run that built it
    (its baseline.json) or nan where there are none."""
    from whoosh import index as whoosh_index

    folder = directory / "baseline"
    indexed = whoosh_index.open_dir(str(folder)).doc_count()
    if indexed != docs:
        sys.exit(f"bench/search.py: error: the baseline index {folder} holds {indexed} documents, the corpus {docs}")
    nan = float("nan")
    base = {"seconds": nan, "cpu_s": nan, "peak_rss_mb": nan, "batch_seconds": [], "folder": str(folder),
            "size_mb": folder_mb(folder), "segments": segment_count(folder), "earlier": None}
    figures_path = directory / BASELINE_FIGURES
    try:
        figures = json.loads(figures_path.read_text())
    except FileNotFoundError:
        base["missing"] = f"{figures_path} does not exist"
        return base
    if figures.get("docs") != docs or figures.get("seed") != seed:
        base["missing"] = (f"{figures_path} is about {figures.get('docs')} documents of seed {figures.get('seed')}, "
                           f"not {docs} of seed {seed}")
        return base
    base.update({name: figures[name] for name in ("seconds", "cpu_s", "peak_rss_mb", "batch_seconds")})
    base["earlier"] = f"the run of {figures.get('date')} on {figures.get('machine')} ({figures_path})"
    return base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=None,
                        help="documents in the corpus (default 10,000; with --reuse, those of the kept corpus)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (its path is printed)")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="a directory kept by an earlier run (--keep): read its corpus.jsonl instead of generating "
                             "the corpus and query its baseline/ index instead of building it (the baseline's indexing "
                             "figures are then those of the earlier run, from its baseline.json, if any); our indexes "
                             "are built afresh elsewhere, DIR is only read")
    parser.add_argument("--profile", type=int, default=5, help="profile this many of the slowest queries (0: none)")
    parser.add_argument("--incremental-budget", type=float, default=None,
                        help="stop the incremental indexing phase after this many seconds of indexing; queries then "
                             "run on the index the full reindex built")
    parser.add_argument("--probes", type=int, default=5,
                        help="new documents written one by one to time how soon a search finds them (0: skip the "
                             "indexer-on-the-full-index phase)")
    args = parser.parse_args()
    if args.reuse is None and args.docs is None:
        args.docs = 10_000
    if args.queries < 1 or (args.docs is not None and args.docs < 1):
        parser.error("--docs and --queries must be positive")
    if args.reuse is not None:
        from whoosh import index as whoosh_index

        args.reuse = args.reuse.resolve()
        if not (args.reuse / "corpus.jsonl").is_file() or not whoosh_index.exists_in(str(args.reuse / "baseline")):
            parser.error(f"--reuse {args.reuse}: no corpus.jsonl and baseline/ index there (a directory kept by --keep)")

    backend.log.addHandler(CUTS)
    backend.log.setLevel(logging.INFO)
    run_started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        print(f"Search benchmark, {datetime.now().strftime('%Y-%m-%d %H:%M')}")
        print(f"machine:  {platform.platform()}, {os.cpu_count()} CPUs ({platform.processor() or platform.machine()})")
        print(f"python:   {platform.python_implementation()} {platform.python_version()}, "
              f"Whoosh {__import__('whoosh').versionstring()}")
        print(f"load:     {' '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min) at the start")

        corpus = Corpus(args.seed)
        t0 = time.perf_counter()
        if args.reuse is None:
            corpus_path = workdir / "corpus.jsonl"
            phrases, stats = write_corpus(corpus, args.docs, corpus_path)
            origin = f"generated in {time.perf_counter() - t0:.0f} s"
        else:
            corpus_path = args.reuse / "corpus.jsonl"
            phrases, stats, kept_docs = read_corpus(corpus, corpus_path)
            if args.docs is not None and args.docs != kept_docs:
                parser.error(f"--reuse {args.reuse}: its corpus has {kept_docs} documents, not --docs {args.docs}")
            args.docs = kept_docs
            origin = f"REUSED from {corpus_path}, read in {time.perf_counter() - t0:.0f} s"
        print(f"docs:     N = {args.docs}, queries = {args.queries}, seed = {args.seed}, workdir {workdir}"
              + (f", reusing {args.reuse}" if args.reuse is not None else ""))
        languages = ", ".join(f"{k} {v}" for k, v in sorted(stats["languages"].items(), key=lambda kv: -kv[1]))
        print(f"corpus:   {args.docs} documents, {stats['words'] / args.docs:.0f} words and "
              f"{stats['chars'] / args.docs / 1000:.1f} kB of text each on average "
              f"({corpus_path.stat().st_size / 1e6:.0f} MB of JSON Lines, {origin}); {languages}")
        warmups = make_queries(corpus, phrases, 12, args.seed + 1000)
        queries = make_queries(corpus, phrases, args.queries, args.seed + 1, exclude={q.key for q in warmups})
        kinds: dict[str, int] = {}
        for q in queries:
            kinds[q.kind] = kinds.get(q.kind, 0) + 1
        print("queries:  " + ", ".join(f"{k} {v}" for k, v in kinds.items()) + f" ({len(queries)} distinct)")

        print("\nIndexing (each phase in its own process; only index calls are timed):", flush=True)
        incremental = in_child(phase_ours_incremental, corpus_path, workdir / "ours", args.docs,
                               args.incremental_budget)
        capped = incremental["docs"] < args.docs
        print(f"  ours, incremental (index.write per {BATCH}): {incremental['docs']} documents in "
              f"{incremental['seconds']:.0f} s, CPU {incremental['cpu_s']:.0f} s, peak RSS "
              f"{incremental['peak_rss_mb']:.0f} MB" + (f" - STOPPED at the {args.incremental_budget:.0f} s budget "
                                                       f"(--incremental-budget)" if capped else "")
              + f"; segments of {incremental['segment_sizes']} documents", flush=True)
        bulk = in_child(phase_ours_bulk, corpus_path, workdir / "ours-rebuilt", args.docs)
        print(f"  ours, full reindex (bulk writer): {bulk['seconds']:.0f} s "
              f"(adding {bulk['adding_s']:.0f} s, commit {bulk['commit_s']:.0f} s), CPU {bulk['cpu_s']:.0f} s, "
              f"peak RSS {bulk['peak_rss_mb']:.0f} MB", flush=True)
        if args.reuse is None:
            base = in_child(phase_baseline, corpus_path, workdir / "baseline", args.docs)
            write_baseline_figures(workdir / BASELINE_FIGURES, base, args.docs, args.seed)
            print(f"  baseline (plain Whoosh): {base['seconds']:.0f} s, CPU {base['cpu_s']:.0f} s, "
                  f"peak RSS {base['peak_rss_mb']:.0f} MB", flush=True)
        else:
            base = reused_baseline(args.reuse, args.docs, args.seed)
            if base["earlier"]:
                print(f"  baseline (plain Whoosh): NOT INDEXED NOW, reusing {base['folder']}; its indexing figures "
                      f"come from {base['earlier']}: {base['seconds']:.0f} s, CPU {base['cpu_s']:.0f} s, "
                      f"peak RSS {base['peak_rss_mb']:.0f} MB", flush=True)
            else:
                print(f"  baseline (plain Whoosh): NOT INDEXED NOW, reusing {base['folder']}; its indexing figures "
                      f"are UNAVAILABLE ({base['missing']})", flush=True)

        def trend(batch_seconds):
            if not batch_seconds:
                return float("nan"), float("nan"), float("nan")
            k = max(1, len(batch_seconds) // 10)
            first, last = batch_seconds[:k], batch_seconds[-k:]
            return (BATCH * len(first) / sum(first), BATCH * len(last) / sum(last), max(batch_seconds))

        inc_first, inc_last, inc_worst = trend(incremental["batch_seconds"])
        base_first, base_last, base_worst = trend(base["batch_seconds"])
        print(f"  per batch of {BATCH}: ours {inc_first:.0f} docs/s in the first tenth, {inc_last:.0f} in the last, "
              f"slowest commit {inc_worst:.1f} s; " + (
                  "baseline n/a (indexed by an earlier run, figures unavailable)" if not base["batch_seconds"] else
                  "baseline" + (" (earlier run)" if args.reuse is not None else "")
                  + f" {base_first:.0f} -> {base_last:.0f} docs/s, slowest {base_worst:.1f} s"))
        plain = [t for t, m in zip(incremental["batch_seconds"], incremental["merged"]) if not m]
        merging = [t for t, m in zip(incremental["batch_seconds"], incremental["merged"]) if m]
        print(f"  ours, batches whose commit only added a segment: {len(plain)}, "
              f"{fmt(statistics.fmean(plain) if plain else None, 1)} s on average (max {fmt(max(plain, default=None), 1)}); "
              f"whose commit merged segments (_merge_similar_segments): {len(merging)}, "
              f"{fmt(statistics.fmean(merging) if merging else None, 1)} s on average (max "
              f"{fmt(max(merging, default=None), 1)})")

        index = SearchIndex(workdir / "ours")
        rebuilt = SearchIndex(workdir / "ours-rebuilt")
        baseline = Baseline(Path(base["folder"]))
        for q in warmups:  # open searchers, load term dictionaries; not measured
            ours(index, q)
            ours(rebuilt, q)
            baseline.search(q.text)

        primary = rebuilt if capped else index
        print(f"\nQuerying: {len(queries)} distinct queries, ours (run_search, anonymous, page 1 of 20, on the "
              f"{'index the full reindex built' if capped else 'incrementally built index'}) interleaved with the "
              "baseline (MultifieldParser + search(limit=20)):", flush=True)
        rows = measure_queries(primary, baseline, queries, "queries")
        if capped:
            rows_rebuilt = rows
        else:
            print("  ... and ours again on the index the full reindex left (one segment):", flush=True)
            rows_rebuilt = measure_queries(rebuilt, None, queries, "queries, rebuilt index")
        query_rss = peak_rss_mb()

        ours_ms = [r["ours_ms"] for r in rows]
        base_ms = [r["base_ms"] for r in rows]
        ours_sum, base_sum = summary(ours_ms), summary(base_ms)
        rebuilt_sum = summary([r["ours_ms"] for r in rows_rebuilt])
        ours_cpu = summary([r["ours_cpu_ms"] for r in rows])
        base_cpu = summary([r["base_cpu_ms"] for r in rows])

        inc_rate = incremental["docs"] / incremental["seconds"]
        base_rate = args.docs / base["seconds"]
        bulk_rate = args.docs / bulk["seconds"]
        peak = max(v for v in (incremental["peak_rss_mb"], bulk["peak_rss_mb"], base["peak_rss_mb"], query_rss)
                   if v == v)  # without the baseline's when its figures are unavailable (--reuse)

        def base_fig(value, digits=0) -> str:
            """A baseline indexing figure: * when it comes from an earlier run (--reuse), n/a when unknown."""
            if args.reuse is None:
                return fmt(value, digits)
            return fmt(value, digits) + "*" if base["earlier"] else "n/a"

        print(f"\nResults for N = {args.docs} ({platform.machine()}, {os.cpu_count()} CPUs, "
              f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())} now):")
        table = [("", "ours", "baseline", "ours/baseline")]
        label = (f"indexing, batches of 500, first {incremental['docs']} docs only (docs/s)" if capped
                 else "indexing, batches of 500 (docs/s)")
        table.append((label, fmt(inc_rate, 1), base_fig(base_rate, 1), ratio(inc_rate, base_rate)))
        table.append(("  indexing wall time (s)", fmt(incremental["seconds"]), base_fig(base["seconds"]),
                      "" if capped else ratio(incremental["seconds"], base["seconds"])))
        table.append(("  indexing CPU time (s)", fmt(incremental["cpu_s"]), base_fig(base["cpu_s"]),
                      "" if capped else ratio(incremental["cpu_s"], base["cpu_s"])))
        table.append(("full reindex, bulk writer (s)", fmt(bulk["seconds"]), base_fig(base["seconds"]),
                      ratio(bulk["seconds"], base["seconds"])))
        table.append(("  full reindex CPU time (s)", fmt(bulk["cpu_s"]), base_fig(base["cpu_s"]),
                      ratio(bulk["cpu_s"], base["cpu_s"])))
        table.append(("  full reindex (docs/s)", fmt(bulk_rate, 1), base_fig(base_rate, 1), ratio(bulk_rate, base_rate)))
        table.append(("index size after full reindex (MB)", fmt(bulk["size_mb"], 1), fmt(base["size_mb"], 1),
                      ratio(bulk["size_mb"], base["size_mb"])))
        table.append((f"  incrementally built{' (partial)' if capped else ''} (MB)", fmt(incremental["size_mb"], 1),
                      "", "" if capped else ratio(incremental["size_mb"], base["size_mb"])))
        table.append(("segments: incremental / rebuilt", f"{incremental['segments']} / {bulk['segments']}",
                      str(base["segments"]), ""))
        table.append(("peak RSS, incremental indexing (MB)", fmt(incremental["peak_rss_mb"]), base_fig(base["peak_rss_mb"]),
                      ratio(incremental["peak_rss_mb"], base["peak_rss_mb"])))
        table.append(("peak RSS, full reindex (MB)", fmt(bulk["peak_rss_mb"]), "", ""))
        table.append(("peak RSS, querying (both, one process) (MB)", fmt(query_rss), "", ""))
        where = "rebuilt index" if capped else "incremental index"
        for p in ("p50", "p95", "p99", "max", "mean"):
            table.append((f"query latency {p} (ms, {where})", fmt(ours_sum[p], 1), fmt(base_sum[p], 1),
                          ratio(ours_sum[p], base_sum[p])))
        table.append(("query CPU p50 / p95 (ms)", f"{fmt(ours_cpu['p50'], 1)} / {fmt(ours_cpu['p95'], 1)}",
                      f"{fmt(base_cpu['p50'], 1)} / {fmt(base_cpu['p95'], 1)}", ratio(ours_cpu["p95"], base_cpu["p95"])))
        table.append(("queries over 1 s", str(ours_sum["over_1s"]), str(base_sum["over_1s"]), ""))
        table.append((f"queries whose phrase check stopped at the {backend.PHRASE_TIME_LIMIT} s limit",
                      str(sum(1 for r in rows if r["ours_cut"])), "", ""))
        if not capped:
            table.append(("ours on the rebuilt index p50 / p95 / p99 (ms)",
                          f"{fmt(rebuilt_sum['p50'], 1)} / {fmt(rebuilt_sum['p95'], 1)} / {fmt(rebuilt_sum['p99'], 1)}",
                          "", ""))
            table.append(("  over 1 s / phrase check stopped, rebuilt index", f"{rebuilt_sum['over_1s']} / "
                          f"{sum(1 for r in rows_rebuilt if r['ours_cut'])}", "", ""))
        print_table(table)
        if args.reuse is not None:
            if base["earlier"]:
                print(f"  * the baseline's indexing figures are NOT from this run: they come from {base['earlier']}; "
                      "its index size and segments are measured now")
            else:
                print(f"  n/a: the baseline was indexed by an earlier run whose figures are unavailable ({base['missing']}); "
                      "its index size and segments are measured now, baseline_index_docs_per_s is nan")
        print("  (the baseline answers without facets, permissions, counts, snippets or suggestions, ignores the "
              "facet filters, and uses AND between words)")

        print("\nLatency by kind of query (ms, ours p50 / p95 | baseline p50 / p95):")
        for kind, _share in QUERY_KINDS:
            mine = [r["ours_ms"] for r in rows if r["query"].kind == kind]
            theirs = [r["base_ms"] for r in rows if r["query"].kind == kind]
            if mine:
                print(f"  {kind:<11} {len(mine):4d} queries  {percentile(mine, 50):7.1f} / {percentile(mine, 95):7.1f}"
                      f"  |  {percentile(theirs, 50):7.1f} / {percentile(theirs, 95):7.1f}")
        missed = [r for r in rows if r["query"].kind in ("unaccented", "phrase", "prefix") and r["ours_total"] == 0]
        if missed:
            print("  accent-less words, phrases and prefixes that found nothing (ours): " + ", ".join(
                r["query"].text for r in missed[:15]) + (" ..." if len(missed) > 15 else ""))
        hits = [r["ours_total"] for r in rows]
        print(f"  results found (ours): median {percentile(hits, 50):.0f}, {sum(1 for h in hits if h == 0)} queries "
              f"with none, {sum(1 for r in rows if r['ours_suggestion'])} with a spelling suggestion; "
              f"baseline: {sum(1 for r in rows if r['base_hits'] == 0)} queries with none")

        slowest = sorted(rows, key=lambda r: -r["ours_ms"])
        print("\nSlowest of our queries:")
        for r in slowest[:12]:
            print(f"  {r['ours_ms']:7.1f} ms (CPU {r['ours_cpu_ms']:6.1f}), {r['ours_total']:6d} results, "
                  f"baseline {r['base_ms']:6.1f} ms  {r['query'].describe()}")
            print(f"            {query_shape(primary, r['query'])}")

        print("\nWhere the time goes: every query once more, with timers around the functions run_search calls "
              f"(on the {where}):", flush=True)
        print(stage_breakdown(primary, queries))
        newcomer = dataclasses.replace(corpus.document(args.docs + args.probes + 1), doc_type="practice",
                                       status="published", visibility="public")
        costs = in_child(phase_first_query_costs, workdir / ("ours-rebuilt" if capped else "ours"),
                         workdir / "first-query-copy", newcomer)
        after, cold = costs["after_commit"], costs["cold"]
        print(f"  after a one-document commit (index.write, {costs['write_ms']:.0f} ms, on a copy; segments of "
              f"{costs['segments_before']} -> {costs['segments_after']} documents) the first query also pays "
              f"{sum(after.values()):.0f} ms (" + ", ".join(f"{label} {ms:.0f}" for label, ms in after.items())
              + "; the kept segments are not opened again and their arrays are reused; the version's arrays are "
              "built when first needed, the dates only for browsing and date sort)")
        print(f"  a cold start (a new SearchIndex on the same index, as in a new web process) pays "
              f"{sum(cold.values()):.0f} ms (" + ", ".join(f"{label} {ms:.0f}" for label, ms in cold.items()) + ")")

        if args.profile:
            profile_queries(primary, [r["query"] for r in slowest[:args.profile]],
                            f"the {args.profile} slowest queries")
            by_median = sorted(rows, key=lambda r: abs(r["ours_ms"] - ours_sum["p50"]))
            profile_queries(primary, [r["query"] for r in by_median[:args.profile]],
                            f"the {args.profile} queries nearest the median (typical queries)")

        visible = None
        if args.probes:
            print("\nThe indexer on the full index (in its own process):", flush=True)
            indexer = in_child(phase_indexer, corpus, corpus_path, workdir / ("ours-rebuilt" if capped else "ours"),
                               workdir / "indexer-copy", args.docs, args.probes)
            print(indexer["text"])
            visible = indexer["visible_ms"]

        index.close()
        rebuilt.close()
        baseline.close()
        if visible:
            print(f"\nA new document was found by search {min(visible):.0f}-{max(visible):.0f} ms after the indexer "
                  f"started writing it (median {percentile(visible, 50):.0f} ms, {len(visible)} probes, idle indexer).")
        print(f"\nTotal run time {time.perf_counter() - run_started:.0f} s; "
              f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end.")
        print(f"RESULT docs={args.docs} index_docs_per_s={inc_rate:.1f} p50_ms={ours_sum['p50']:.1f} "
              f"p95_ms={ours_sum['p95']:.1f} p99_ms={ours_sum['p99']:.1f} baseline_index_docs_per_s={base_rate:.1f} "
              f"baseline_p95_ms={base_sum['p95']:.1f} peak_rss_mb={peak:.0f}")
    finally:
        if args.keep:
            print(f"(kept {workdir}" + (f"; its corpus and baseline index are those of {args.reuse})"
                                        if args.reuse is not None else ")"), file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
