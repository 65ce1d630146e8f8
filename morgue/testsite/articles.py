"""The stories the test site publishes: texts, dates, where they are listed.

Pure data. Each story is written for this site (a fictional city, Eastbridge)
and differs in length, markup family (``cms``), encoding, discovery channel
and the mix of boilerplate widgets around it, so that a crawl and an extractor
meet the cases real news sites present.

A story body is plain text, blocks separated by a blank line: a paragraph
(wrapped lines are joined), ``## subheading``, or ``> /path`` for a "Read
more:" line pointing at another story. A paragraph may hold inline links
written ``[text](/path)``.
"""

from __future__ import annotations

from dataclasses import dataclass

SITE_NAME = "The Morgue Gazette"

#: markup families ``pages.py`` knows how to render
CMS_KINDS = ("wordpress", "tagdiv", "drupal", "ghost", "newsroom")

#: boilerplate widgets ``widgets.py`` knows how to render
WIDGETS = (
    "cookie",
    "share",
    "social",
    "newsletter",
    "donate",
    "ads",
    "related",
    "popular",
    "authorbox",
    "comments",
)

HUGE_PATH = "/2026/11/19/huge-page-report/"
PDF_PATH = "/files/annual-report.pdf"
PRIVATE_PATH = "/private/secret-article/"
REDIRECT_PATH = "/old/city-budget"
#: an old page that moved with a meta refresh, after a long head (as CMS themes write them)
REFRESH_PATH = "/old/library-hours"
#: where it points: linked from nowhere else, so only a crawler that follows the refresh finds it
REFRESH_TARGET = "/notices/library-hours/"
BROKEN_PATH = "/broken/"
#: a story taken down: linked from a section, answers 404
GONE_PATH = "/2026/11/03/theatre-season-opens-with-premiere/"

Block = tuple[str, str]


@dataclass(frozen=True)
class Author:
    name: str
    role: str
    bio: str


JANE = Author(
    "Jane Doe",
    "City hall reporter",
    "Jane Doe has covered Eastbridge city hall for the Gazette since 2019 and "
    "writes the weekly Council Watch column.",
)
TOMAS = Author(
    "Tomás Rivera",
    "Science correspondent",
    "Tomás Rivera reports on astronomy, energy and the environment. He trained "
    "as a physicist before moving into journalism.",
)
AMARA = Author(
    "Amara Nwosu",
    "Arts editor",
    "Amara Nwosu edits the culture pages and presents the Gazette's books podcast.",
)
OWEN = Author(
    "Owen Hartley",
    "Transport and health reporter",
    "Owen Hartley covers transport, health and public services across the region.",
)


@dataclass(frozen=True)
class Story:
    """One article page, with everything the site and the tests need to know about it."""

    path: str
    title: str
    dek: str
    section: str
    tags: tuple[str, ...]
    author: Author
    #: ISO 8601 moment shown in the page; None: the HTML carries no date at all
    published: str | None
    #: ISO 8601 moment the sitemap or feed announces
    listed: str
    #: "sitemap" | "news-sitemap" | "feed" | "link": the one channel meant to find it
    via: str
    cms: str
    #: the text, in the block format described in the module docstring
    body: str
    key_passages: tuple[str, ...]
    widgets: frozenset[str]
    post_id: int
    shares: str = "312"
    comments: tuple[tuple[str, str], ...] = ()
    #: listed on the home, section and tag pages and in related lists
    linked: bool = True
    encoding: str = "utf-8"
    #: False: the charset is declared only in ``<meta charset>``
    charset_in_header: bool = True
    #: True: the page carries no ``<meta charset>`` (the header alone says it)
    charset_in_meta: bool = True
    chunked: bool = False
    json_ld: bool = True
    image: str = ""

    @property
    def blocks(self) -> tuple[Block, ...]:
        """The body as ``("p", text)``, ``("h2", text)`` and ``("readmore", path)`` blocks."""
        out: list[Block] = []
        for chunk in self.body.strip().split("\n\n"):
            text = " ".join(chunk.split())
            if text.startswith("## "):
                out.append(("h2", text[3:]))
            elif text.startswith("> "):
                out.append(("readmore", text[2:]))
            else:
                out.append(("p", text))
        return tuple(out)


STORIES: tuple[Story, ...] = (
    Story(
        path="/2026/11/20/city-council-approves-new-budget/",
        title="City council approves new budget",
        dek=(
            "Councillors voted nine to four for a £1.2bn spending plan that raises night bus "
            "subsidies and delays the central library rebuild."
        ),
        section="politics",
        tags=("budget", "city council", "transport"),
        author=JANE,
        published="2026-11-20T09:30:00+00:00",
        listed="2026-11-20T09:30:00+00:00",
        via="news-sitemap",
        cms="wordpress",
        post_id=4817,
        shares="1.2k",
        image="/wp-content/uploads/2026/11/council-chamber-1024x683.jpg",
        widgets=frozenset({"authorbox", "comments", "cookie", "newsletter", "share"}),
        comments=(
            (
                "Pat Lindqvist",
                (
                    "Night buses every twenty minutes will make a real difference to "
                    "shift workers at the hospital. About time."
                ),
            ),
            (
                "G. Mercer",
                ("So the library gets delayed again. Third time I have read this headline in six years."),
            ),
        ),
        body="""
Eastbridge city council approved a £1.2 billion budget for the coming year on Thursday
night, ending three weeks of sometimes bitter negotiation over bus subsidies, library
funding and the cost of repairing the city's ageing flood walls.

The plan passed by nine votes to four after a session that ran past midnight. Two members of
the governing coalition abstained, saying they had not been given enough time to read a late
amendment that moved £14 million from road resurfacing into adult social care.

Council leader Miriam Oduya told the chamber the budget was "the least bad option in a very
bad year". Inflation in construction costs, she said, had added almost a fifth to the price
of every capital project the city had planned since the spring.

The biggest single change is a £9 million increase in the subsidy for night buses, which
will run every twenty minutes on the four busiest routes from January. Transport officials
had warned that without extra money the night network would have been cut to an hourly
service, leaving cleaners, nurses and bar staff with long waits in the dark.

> /2026/11/17/river-defences-hold-as-floods-peak/

The rebuilding of the central library, promised in the last two manifestos, has been pushed
back by at least eighteen months. Opposition councillor Declan Fry called the delay "a
broken promise dressed up as prudence" and said his group would table a motion next month to
restore the funding from the council's reserves.

Residents will see council tax rise by 4.8 per cent, just under the cap above which the city
would have been required to hold a referendum. A band D household will pay roughly £92 more
a year, or about £1.77 a week.

Officials also set aside £31 million for flood defences along the lower river, where surveys
in the summer found cracks in two sections of an embankment built in the 1970s. The full
figures are set out in the council's [annual report (PDF)](/files/annual-report.pdf),
published alongside the budget.

Business groups gave the plan a cautious welcome. The Eastbridge Chamber of Commerce said it
was relieved that business rates relief for small shops on the high street had survived, but
warned that parking charges in the city centre, which rise by 20p an hour in April, would
drive shoppers to out-of-town retail parks.

The budget now goes to the mayor, who has ten days to sign it or send it back with
objections. A spokesperson said the mayor was "broadly supportive" and expected to sign
before the end of the month.
""",
        key_passages=(
            (
                "The biggest single change is a £9 million increase in the subsidy for night buses, "
                "which will run every twenty minutes on the four busiest routes from January."
            ),
            (
                "Residents will see council tax rise by 4.8 per cent, just under the cap above which "
                "the city would have been required to hold a referendum."
            ),
        ),
    ),
    Story(
        path="/science/2026/11/18/telescope-finds-water-vapour-12345.html",
        title="Telescope finds water vapour in the air of a rocky planet",
        dek=(
            "Astronomers say the faint signal from a world 48 light years away is the clearest "
            "sign yet of water around a planet the size of Earth."
        ),
        section="science",
        tags=("astronomy", "space"),
        author=TOMAS,
        published="2026-11-18T14:05:00+00:00",
        listed="2026-11-18T14:05:00+00:00",
        via="news-sitemap",
        cms="newsroom",
        post_id=12345,
        image="/media/2026/11/exoplanet-artist-impression.jpg",
        widgets=frozenset({"ads", "popular", "social"}),
        body="""
Astronomers have detected water vapour in the atmosphere of a rocky planet orbiting a small
red star, a result they describe as the clearest evidence so far that worlds of roughly
Earth's size can hold on to an atmosphere at all.

The planet, catalogued as TOI-9021 b, is about 1.3 times as wide as Earth and circles its
star every eleven days. It was observed on four occasions as it passed in front of the star,
each time for a little under two hours.

## A faint but clear signal

When a planet crosses its star, a thin ring of starlight filters through its atmosphere on
the way to us. Molecules in that air absorb particular colours, leaving a pattern of dips
that works like a fingerprint. The team found the dips expected from water at three separate
wavelengths.

"We were braced for a flat line," said Dr Ingrid Solberg, who led the analysis. "Most small
planets around red dwarfs seem to have been stripped bare by their stars. This one has kept
something, and that something includes water."

The signal is small: the dips amount to about sixty parts per million of the star's light.
The researchers spent eight months ruling out the possibility that starspots, cooler patches
on the star's surface, could have mimicked the pattern.

## Why it matters

Red dwarfs are the most common stars in the galaxy, and many of them host rocky planets.
Whether those planets can keep an atmosphere under the flares and radiation such stars emit
is one of the central questions in the search for habitable worlds.

The detection does not mean the planet is habitable. Its dayside is probably hotter than
200C, and the water is present as steam. Some researchers not involved in the work also
cautioned that a single planet says little about how common such atmospheres are.

"It is one data point, but it is a data point we did not have last year," said Professor
Alan Mbeki, an exoplanet specialist at the University of Eastbridge.

## What comes next

The team has been granted another twelve hours of observing time next year to look for
carbon dioxide and methane. Together with water, those gases would let them estimate how
much of the atmosphere is left and how quickly it is escaping into space.

The findings are published in the Astrophysical Letters journal and were presented at a
meeting of the Royal Astronomical Society.
""",
        key_passages=(
            "The team found the dips expected from water at three separate wavelengths.",
            "Its dayside is probably hotter than 200C, and the water is present as steam.",
        ),
    ),
    Story(
        path="/2026/11/17/river-defences-hold-as-floods-peak/",
        title="River defences hold as floods peak",
        dek=(
            "Water came within 30cm of the top of the new walls at Millford, but no homes were "
            "flooded overnight."
        ),
        section="politics",
        tags=("climate", "flooding", "weather"),
        author=JANE,
        published="2026-11-17T07:15:00+00:00",
        listed="2026-11-17T07:15:00+00:00",
        via="sitemap",
        cms="tagdiv",
        post_id=4791,
        shares="845",
        encoding="windows-1252",
        charset_in_meta=False,
        image="/wp-content/uploads/2026/11/millford-flood-wall.jpg",
        widgets=frozenset({"comments", "cookie", "related", "share"}),
        body="""
Flood defences along the River Alder held through the night as water levels reached their
highest point in more than a decade, the Environment Office said on Monday morning.

The river peaked at 4.61 metres at the Millford gauge shortly after 3am, within 30
centimetres of the top of the walls completed there two years ago. Sandbags were stacked
along the lowest stretch of Quay Street as a precaution, and 140 households were told to be
ready to leave.

“We were lucky this time — the walls held, but only just,” said Ruth Okafor, who runs the
lock-keeper’s café beside the weir and stayed up watching the water rise.

Downstream, where the defences are older, fields and two caravan parks were flooded and the
road between Millford and Corran remained closed. Firefighters used boats to reach a farm
cut off by the water, where a family had refused to leave without their animals.

Engineers will inspect the walls once the level falls. The Environment Office said the new
section had performed exactly as designed, but acknowledged that the margin had been
narrower than planners expected when the scheme was approved.

Rainfall over the Alder catchment in the past week was about twice the November average,
falling on ground already saturated by a wet October. Forecasters expect a drier spell,
though another band of rain could arrive at the weekend.

Local councillors said the night showed why the £31 million set aside for the lower river
could not be delayed. “People here have spent years being told the money is coming,” said
councillor Hana Brooks. “Last night was a warning we cannot ignore.”

At the Corran end of the valley, volunteers from the sailing club spent the evening moving
boats and trailers to higher ground. The club's slipway was under a metre of water by
midnight, and its members slept in the clubhouse in shifts so that someone was always
watching the moorings.

Residents who were asked to prepare to leave have been told they can stand down, but should
keep an eye on warnings until at least Wednesday.
""",
        key_passages=(
            (
                "“We were lucky this time — the walls held, but only just,” said Ruth Okafor, who "
                "runs the lock-keeper’s café beside the weir and stayed up watching the water rise."
            ),
            (
                "The river peaked at 4.61 metres at the Millford gauge shortly after 3am, within 30 "
                "centimetres of the top of the walls completed there two years ago."
            ),
        ),
    ),
    Story(
        path="/2026/11/15/museum-to-return-bronze-heads/",
        title="Museum to return bronze heads taken in 1897",
        dek=(
            "The city museum's trustees voted unanimously to hand back eleven sculptures to the "
            "royal court of Ekomé."
        ),
        section="culture",
        tags=("museums", "heritage"),
        author=AMARA,
        published="2026-11-15T11:00:00+00:00",
        listed="2026-11-15T11:00:00+00:00",
        via="sitemap",
        cms="drupal",
        post_id=2204,
        encoding="iso-8859-1",
        charset_in_header=False,
        json_ld=False,
        widgets=frozenset({"donate", "newsletter", "related"}),
        body="""
The Eastbridge City Museum will return eleven bronze heads taken from the royal court of
Ekomé during a British military expedition in 1897, its trustees decided on Friday.

The sculptures, cast in the eighteenth century and displayed in the museum's first-floor
gallery since 1921, are expected to travel back next spring. The decision was unanimous and
followed two years of talks with representatives of the present king.

Zoë Lefèvre, the museum's director, said the heads had been "acquired in circumstances that
no public institution can defend today". She added that the museum had been open about their
history for decades, but that openness was not the same as putting things right.

The court has asked for the return to be marked with a ceremony in the palace courtyard,
where the heads originally stood on a raised altar. Museum staff will travel with them, and
a conservator will stay on for several weeks to help install them.

Not everyone welcomed the decision. A group of donors wrote to the trustees arguing that the
sculptures had been seen by millions of visitors in Eastbridge and that their return would
leave a gap in the collection that could never be filled. The museum says it will commission
high-quality replicas, made with the court's permission, and will keep the gallery open.

For the sculptor Adébayo Cole, whose great-grandfather was a bronze caster at the court, the
news was "a homecoming a hundred and twenty-nine years late". He plans to attend the
ceremony and is working on a new piece to mark the occasion.

Visitors at the museum on Saturday morning were divided. A retired teacher who had brought
her grandchildren said she was glad they would remember seeing the heads before they went
home, while a student said she had not known until reading the label how they came to be
there.

The museum said the return would be paid for from its own funds and a grant from a heritage
charity, and that no public money would be used. A small exhibition telling the story of the
heads, with photographs from the court, will open in the café gallery in February.
""",
        key_passages=(
            (
                "Zoë Lefèvre, the museum's director, said the heads had been \"acquired in "
                'circumstances that no public institution can defend today".'
            ),
            (
                "For the sculptor Adébayo Cole, whose great-grandfather was a bronze caster at the "
                'court, the news was "a homecoming a hundred and twenty-nine years late".'
            ),
        ),
    ),
    Story(
        path="/politics/rail-strike-talks-collapse/",
        title="Rail strike talks collapse after eleven hours",
        dek=("Drivers will walk out on three days next month after the union rejected a revised pay offer."),
        section="politics",
        tags=("rail", "strikes", "transport"),
        author=OWEN,
        published=None,
        listed="2026-11-12T18:40:00+00:00",
        via="sitemap",
        cms="ghost",
        post_id=3350,
        shares="2.4k",
        linked=False,
        image="/content/images/size/w1200/rail-depot-night.jpg",
        widgets=frozenset({"newsletter", "share", "social"}),
        body="""
Talks aimed at averting a strike by train drivers on the Eastbridge regional network broke
down late on Tuesday after eleven hours, with both sides blaming the other for the failure.

The drivers' union said its members would walk out on three days next month, halting almost
every service on the network. The operator, Alder Valley Rail, called the decision "deeply
disappointing" and urged the union to put its latest offer to a vote of members.

That offer would have raised pay by 5 per cent this year and 3.5 per cent next year, in
exchange for changes to rostering that the company says are needed to run more trains on
Sundays. The union says the changes would lengthen shifts and cut rest breaks, and that
drivers would lose more than they gained.

"Nobody in that room wanted a strike," said Sandra Kowalczyk, the union's regional
organiser. "But we were asked to sign away conditions that took twenty years to win, and we
were given until midnight to do it."

The company said the rostering changes had been in every version of the offer since the
summer and could not have come as a surprise. A spokesman said it would publish the full
offer online so that passengers and drivers could judge it for themselves.

Business leaders warned that three days without trains would cost the city centre millions
of pounds in lost trade in the busiest shopping weeks of the year. Commuter groups asked the
operator to accept season tickets on replacement buses and to extend ticket refunds.

Passengers who rely on the network were weighing their options. Nadia Haddad, a
physiotherapist who commutes from Corran, said she would have to take unpaid leave on at
least one of the strike days because the roads into the city were already close to gridlock
at peak times.

The regional transport authority, which sets the operator's contract, said it was not a
party to the dispute but would meet both sides separately later this week. Conciliation
officers have offered to chair a further round of talks.
""",
        key_passages=(
            (
                "That offer would have raised pay by 5 per cent this year and 3.5 per cent next year,"
                " in exchange for changes to rostering that the company says are needed to run more "
                "trains on Sundays."
            ),
            (
                '"Nobody in that room wanted a strike," said Sandra Kowalczyk, the union\'s regional '
                "organiser."
            ),
        ),
    ),
    Story(
        path="/culture/2026/11/10/jazz-festival-lineup-announced/",
        title="Jazz festival lineup announced with record number of local acts",
        dek=(
            "Thirty-one of the festival's sixty concerts will feature musicians from Eastbridge "
            "and the surrounding valley."
        ),
        section="culture",
        tags=("music", "festivals"),
        author=AMARA,
        published="2026-11-10T16:20:00+00:00",
        listed="2026-11-10T16:20:00+00:00",
        via="feed",
        cms="wordpress",
        post_id=4702,
        shares="96",
        linked=False,
        image="/wp-content/uploads/2026/11/jazz-festival-stage.jpg",
        widgets=frozenset({"ads", "comments", "popular", "share", "social"}),
        comments=(("Marta", "Delighted to see the brass band from Corran on the bill!"),),
        body="""
The Eastbridge Jazz Festival will feature more local musicians than ever before when it
returns to the riverside next summer, organisers said as they announced the lineup on
Monday.

Thirty-one of the sixty concerts will be given by bands and soloists from the city and the
valley, up from nineteen last year. The festival's new artistic director, Felix Amankwah,
said he had spent the spring visiting pubs, church halls and school concerts in search of
players.

"There is a scene here that people outside the city simply do not know about," he said. "I
heard a seventeen-year-old trumpeter in a community centre in Corran who would hold her own
on any stage in Europe."

> /2026/11/15/museum-to-return-bronze-heads/

Headliners include the pianist Yoko Brandt, returning for the first time since her debut at
the festival twelve years ago, and a big band assembled for the occasion from musicians who
studied at the city's music college.

Ticket prices will be frozen at last year's level, and a quarter of the concerts, including
every performance on the floating stage by the old ferry steps, will be free. Organisers
said they had found a new sponsor to cover the gap left when a bank withdrew its support in
the spring.

The festival will also run workshops for young players in six schools in the weeks before it
opens, ending with a concert in which the pupils perform alongside professional musicians.

For the first time, the festival will leave the riverside for two evenings, with concerts in
the old tram shed in Millford and the parish church at Corran. Amankwah said the aim was to
bring the music to people who had never made the journey into the city centre for it.

Local venues said the change was overdue. The owner of the Anchor, a pub that has hosted a
weekly jazz night for thirty years, said the festival had too often felt like something that
happened to the city rather than with it, and that this year's programme looked different.

Tickets go on sale to members of the festival's friends scheme first, and to the general
public a week later.
""",
        key_passages=(
            (
                "Thirty-one of the sixty concerts will be given by bands and soloists from the city "
                "and the valley, up from nineteen last year."
            ),
            (
                "Ticket prices will be frozen at last year's level, and a quarter of the concerts, "
                "including every performance on the floating stage by the old ferry steps, will be "
                "free."
            ),
        ),
    ),
    Story(
        path="/2026/11/08/hospital-waiting-lists-fall/",
        title="Hospital waiting lists fall for the first time in four years",
        dek=(
            "The number of patients waiting more than a year for planned treatment dropped by "
            "almost a third after a new surgical hub opened."
        ),
        section="politics",
        tags=("health", "hospitals"),
        author=OWEN,
        published="2026-11-08T08:00:00+00:00",
        listed="2026-11-08T08:00:00+00:00",
        via="feed",
        cms="newsroom",
        post_id=9031,
        linked=False,
        chunked=True,
        widgets=frozenset({"cookie", "donate", "related"}),
        body="""
Waiting lists at Eastbridge's hospitals have fallen for the first time in four years, with
the number of patients waiting more than a year for planned operations down by almost a
third since the spring.

Figures published by the regional health board show 41,200 people on the waiting list at the
end of October, compared with 44,900 in April. Those waiting longer than twelve months fell
from 3,150 to 2,180.

Managers credit the surgical hub that opened at St Bride's hospital in May, which carries
out hip and knee replacements, cataract operations and hernia repairs in theatres that are
kept free of emergency cases. Because the hub's beds cannot be taken by patients arriving
through A&E, operations there are rarely cancelled at short notice.

"The hub has done what we hoped it would," said Dr Priya Raman, the board's medical
director. "But I would not want anyone to think the problem is solved. Two thousand people
waiting more than a year is still two thousand too many."

> /2026/11/20/city-council-approves-new-budget/

The picture is less encouraging elsewhere. Waits for diagnostic tests, including scans and
endoscopies, have barely changed, and the emergency department at the Royal Infirmary missed
its four-hour target for most patients in every week of October.

Patient groups welcomed the fall but said many people on the list were living in pain. Mary
Doherty, who has been waiting fourteen months for a knee replacement, said she had been
given a date in January. "I will believe it when I am on the trolley," she said.

Staff at the hub say the biggest change is predictability. Theatre teams know days in
advance which operations they will carry out, and patients are called a week before to check
they are fit for surgery, which has cut the number of last-minute cancellations to a handful
a month.

The board plans to open a second hub, focusing on eye surgery, at the community hospital in
Corran next autumn.
""",
        key_passages=(
            "Those waiting longer than twelve months fell from 3,150 to 2,180.",
            (
                "The board plans to open a second hub, focusing on eye surgery, at the community "
                "hospital in Corran next autumn."
            ),
        ),
    ),
    Story(
        path="/2025/12/14/harbour-bridge-repairs-completed/",
        title="Harbour bridge reopens after repairs finish early",
        dek=("The swing bridge was closed for seven months while engineers replaced its corroded bearings."),
        section="politics",
        tags=("roads", "harbour"),
        author=JANE,
        published="2025-12-14T10:10:00+00:00",
        listed="2025-12-14T10:10:00+00:00",
        via="sitemap",
        cms="wordpress",
        post_id=3120,
        shares="203",
        linked=False,
        image="/wp-content/uploads/2025/12/harbour-swing-bridge.jpg",
        widgets=frozenset({"ads", "authorbox", "comments", "share"}),
        body="""
The harbour swing bridge reopened to traffic on Sunday, three weeks ahead of schedule, after
seven months of repairs to the mechanism that lets it turn to allow ships through.

Engineers replaced all eight of the bridge's main bearings, which had corroded so badly that
the span could no longer be swung safely. The work required the 900-tonne deck to be lifted
on hydraulic jacks, a job last done when the bridge was built.

The closure forced about 18,000 vehicles a day onto a detour through the old town, where
traders complained that congestion had kept customers away. A temporary footbridge carried
pedestrians and cyclists.

"We found the bearings in worse condition than the surveys suggested, but the team made up
the time by working through the summer nights," said project manager Callum Reid.

Work was complicated by the bridge's listed status. Engineers had to keep the original
cast-iron balustrades and the Victorian control cabin, which was dismantled piece by piece,
cleaned and reassembled with new wiring hidden behind its panels.

Traders in the old town said the reopening had come just in time for the Christmas market.
"We have had a very quiet year," said Lorna Baptiste, who runs a gift shop on Ropewalk Lane.
"Half our regulars simply stopped coming because they could not face the traffic."

Cycling groups asked the council to keep the temporary footbridge, which had become popular
with commuters who preferred it to sharing the main carriageway with lorries. Officials said
it had been hired for the duration of the works and would be removed in the new year, but
that a permanent crossing would be considered in the next transport plan.

Harbour users were also relieved. Several fishing boats had been forced to land their
catches at Corran while the bridge was fixed shut, adding an hour's drive to every delivery
to the fish market.

The repairs cost £6.4 million, slightly below budget. The council said the bridge would be
swung once a week for testing during the winter before regular openings for shipping resume
in March.
""",
        key_passages=(
            (
                "Engineers replaced all eight of the bridge's main bearings, which had corroded so "
                "badly that the span could no longer be swung safely."
            ),
            "The repairs cost £6.4 million, slightly below budget.",
        ),
    ),
    Story(
        path="/science/2026/11/05/school-gardens-lift-maths-scores-17803.html",
        title="School gardens linked to better maths scores, study finds",
        dek=(
            "Pupils who spent an hour a week growing vegetables did better in measurement and "
            "data tests than their peers."
        ),
        section="science",
        tags=("education", "climate"),
        author=TOMAS,
        published="2026-11-05T12:30:00+00:00",
        listed="2026-11-05T12:30:00+00:00",
        via="link",
        cms="newsroom",
        post_id=17803,
        widgets=frozenset({"ads", "newsletter", "popular", "social"}),
        body="""
Primary school pupils who spent an hour a week tending a school vegetable garden scored
better in maths tests than classmates who did not, according to a two-year study of 2,400
children in Eastbridge and the valley.

The gains were concentrated in measurement and data handling. Children in the garden group
weighed harvests, tracked rainfall, measured the growth of bean plants and drew up rotas for
watering, then used the figures in class.

On average they scored four points higher on a standard test of measurement than children in
the comparison schools, a difference the researchers said was equivalent to roughly two
months of extra teaching.

> /science/2026/11/18/telescope-finds-water-vapour-12345.html

"The children were doing real maths with real consequences," said Dr Helen Achterberg of the
University of Eastbridge's education faculty. "If you get the watering rota wrong, the
lettuces die. That focuses the mind in a way a worksheet does not."

The researchers were careful to note that schools volunteered to take part, and that those
with enthusiastic teachers may have been more likely to sign up. They tried to account for
this by comparing schools with similar past results and intakes.

There was no measurable effect on reading or writing scores. Teachers reported that
behaviour improved on garden days, but the study did not measure this formally.

Head teachers involved in the project said the biggest obstacle had been the summer
holidays, when gardens were left untended for six weeks. Several schools solved the problem
with rotas of parents and grandparents, some of whom have since started allotments of their
own.

The researchers now want to follow the same children into secondary school to see whether
the advantage lasts, and to test whether a shorter weekly session produces similar results.

The city's education department said it would fund raised beds and tools for twenty more
schools next year.
""",
        key_passages=(
            (
                "On average they scored four points higher on a standard test of measurement than "
                "children in the comparison schools, a difference the researchers said was equivalent"
                " to roughly two months of extra teaching."
            ),
            "There was no measurable effect on reading or writing scores.",
        ),
    ),
    Story(
        path="/2026/11/19/offshore-wind-farm-wins-approval/",
        title="Offshore wind farm wins approval despite fishing fears",
        dek="The 64-turbine scheme off Corran Head could power 600,000 homes when it is finished.",
        section="science",
        tags=("climate", "energy"),
        author=TOMAS,
        published="2026-11-19T15:45:00+00:00",
        listed="2026-11-19T15:45:00+00:00",
        via="news-sitemap",
        cms="tagdiv",
        post_id=4809,
        shares="3.1k",
        image="/wp-content/uploads/2026/11/corran-head-turbines.jpg",
        widgets=frozenset({"comments", "cookie", "donate", "related", "share"}),
        comments=(
            (
                "Iain from Corran",
                ("Nobody asked the boats. The consultation was a box-ticking exercise from start to finish."),
            ),
        ),
        body="""
A wind farm of 64 turbines off Corran Head has been given planning consent, clearing the way
for construction to begin within two years despite objections from the local fishing
industry.

The developer, Northsea Renewables, says the farm will generate up to 1.1 gigawatts, enough
to supply about 600,000 homes. Each turbine will stand 250 metres tall at the tip of its
blades, and the nearest will be 14 kilometres from the shore.

Fishermen in Corran argued that the farm would close some of the best grounds for crab and
lobster and that the cables bringing power ashore would cross a spawning area. Planning
inspectors accepted that there would be some loss of fishing ground but concluded that it
was outweighed by the benefits.

> /2026/11/17/river-defences-hold-as-floods-peak/

As a condition of consent, the developer must pay into a fund to help fishing businesses
adapt, and must bury the export cables at least 1.5 metres below the seabed where they cross
the spawning area.

"This is a good day for the climate and a difficult one for some of our neighbours," said
councillor Hana Brooks, who represents the coastal ward. "Both things are true, and the
compensation has to be real money, paid quickly."

Construction is expected to bring about 400 jobs at its peak, many of them at the port,
where an old ship repair yard will be converted into an assembly base for turbine towers.

The developer has promised to publish survey data on seabirds and marine mammals collected
during the planning process, after campaigners argued that the public had been asked to
comment on conclusions without seeing the evidence behind them.

Environmental groups welcomed the decision but said the approval process, which took almost
five years, was far too slow if the region was to meet its targets for cutting emissions.
""",
        key_passages=(
            (
                "Each turbine will stand 250 metres tall at the tip of its blades, and the nearest "
                "will be 14 kilometres from the shore."
            ),
            (
                "As a condition of consent, the developer must pay into a fund to help fishing "
                "businesses adapt, and must bury the export cables at least 1.5 metres below the "
                "seabed where they cross the spawning area."
            ),
        ),
    ),
)

STORY_BY_PATH = {story.path: story for story in STORIES}

#: the tags that have a page of their own
TAG_PAGES = ("climate",)

SECTIONS = {
    "politics": "Politics",
    "science": "Science",
    "culture": "Culture",
}
