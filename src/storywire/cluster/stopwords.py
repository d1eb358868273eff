"""Function words of the languages the default feeds and the labelled sets carry.

The featurizer drops them from every view, whatever the article's language: one set,
the union of the lists below, so that no language tag is needed (feeds often carry none,
or a wrong one). Without them two unrelated German or Spanish articles shared "der",
"und", "el", "la" and "en", which the English background table (see ``features``)
has never seen and so weighs as rare names: a third of the unrelated non-English
SemEval pairs were joined.

A word that is a function word in one language and an event word in English news
(German "war", "hat", "fast"; Spanish and French "son"; Turkish "bin") is left out of
the union.
"""

from __future__ import annotations

# scikit-learn's ENGLISH_STOP_WORDS (318 words), copied so that clustering does not import
# scikit-learn (~0.5 s of start-up for `storywire batch`); a test keeps them equal.
ENGLISH = """
a about above across after afterwards again against all almost alone along already also
although always am among amongst amoungst amount an and another any anyhow anyone
anything anyway anywhere are around as at back be became because become becomes becoming
been before beforehand behind being below beside besides between beyond bill both bottom
but by call can cannot cant co con could couldnt cry de describe detail do done down due
during each eg eight either eleven else elsewhere empty enough etc even ever every
everyone everything everywhere except few fifteen fifty fill find fire first five for
former formerly forty found four from front full further get give go had has hasnt have
he hence her here hereafter hereby herein hereupon hers herself him himself his how
however hundred i ie if in inc indeed interest into is it its itself keep last latter
latterly least less ltd made many may me meanwhile might mill mine more moreover most
mostly move much must my myself name namely neither never nevertheless next nine no
nobody none noone nor not nothing now nowhere of off often on once one only onto or
other others otherwise our ours ourselves out over own part per perhaps please put
rather re same see seem seemed seeming seems serious several she should show side since
sincere six sixty so some somehow someone something sometime sometimes somewhere still
such system take ten than that the their them themselves then thence there thereafter
thereby therefore therein thereupon these they thick thin third this those though three
through throughout thru thus to together too top toward towards twelve twenty two un
under until up upon us very via was we well were what whatever when whence whenever
where whereafter whereas whereby wherein whereupon wherever whether which while whither
who whoever whole whom whose why will with within without would yet you your yours
yourself yourselves
"""

GERMAN = """
aber alle allem allen aller alles als also am an ander andere anderen anderer anderes
auch auf aus bei beim bereits bis bisher bist da dabei dadurch dafür dagegen daher damit
danach dann dar daran darauf darf darum das dass davon dazu dein deine dem demnach denen
denn dennoch der derem deren des deshalb dessen dich dir doch dort du durch eben ebenfalls
ein eine einem einen einer eines einige einigen er es etwa etwas euch euer für gab gegen
gegenüber geht gewesen gibt habe haben hatte hatten heute hier hin hinter ich ihm ihn
ihnen ihr ihre ihrem ihren ihrer ihres im immer in ins ist ja jede jedem jeden jeder jedoch
jetzt kann kein keine keinen können könnte mehr mein meine mich mir mit muss müssen nach
neben nicht nichts noch nun nur ob oder ohne rund schon sehr sei seien sein seine seinem
seinen seiner seit seitdem selbst sich sie sind so soll sollen sollte sondern sowie statt
um und uns unser unsere unter viel viele vom von vor wann warum was weil weiter weitere
wenn wer werde werden wie wieder will wir wird wo wurde wurden zu zum zur zwar zwischen
über laut sagte sagt worden waren wäre hätte jahr jahren prozent
"""

SPANISH = """
al algo algunas algunos ante antes aquí así aunque bajo bien cada casi como con contra
cual cuales cuando cuenta de del desde donde dos durante el ella ellas ellos en entre era
es esa esas ese eso esos esta está están estaba estas este esto estos fue fueron gran ha
había han hasta hay hace hoy la las le les lo los más me mientras muy nada ni no nos
nuestro o otra otras otro otros para pero poco por porque puede pues que quien se sea
según ser será sido siempre sin sino sobre su sus también tanto tiene tienen todo todos
tras un una uno unos y ya año años dijo además sólo solo parte forma señaló
"""

FRENCH = """
ai au aux avait avec avoir ce ceci cela celle celles celui ces cet cette chez comme comment
dans de depuis des deux donc dont du elle elles en encore entre est et été être eu fait
fois il ils je la le les leur leurs lui là mais me même mes moins mon ne ni nos notre nous
on ont ou où par parmi pas plus pour qu quand que quel quelle qui sa sans se selon ses si
son sont sous sur ta te tous tout toute toutes très tu un une vers vos votre vous ans
après aussi autres bien ainsi alors avant déjà entre était faire peut sera
"""

ITALIAN = """
ad agli ai al alla alle allo anche ancora che chi ci coi col come con cui da dai dal
dalla dalle dallo degli dei del della delle dello di dopo dove due e è ed era erano fra
gli già ha hanno ho il in io la le lei li lo loro lui ma mentre negli nei nel nella nelle
nello noi non nostro o ogni per perché più poi quale quando quanto quella quelle quello
questa queste questo se sei sia siamo sono sta stato su sua sue sui sul sulla sulle suo
suoi tra tutti tutto un una uno anni essere fatto stati stata dell dell' all nell sull
"""

PORTUGUESE = """
ao aos as às até com como da das de dela dele deles do dos e é ela ele eles em entre era
essa esse esta está este eu foi for foram há isso isto já lhe mais mas me mesmo muito na
nas nem no nos nós num numa o os ou para pela pelas pelo pelos por qual quando que quem
se sem seu seus sua suas também te tem têm um uma umas uns você anos ser sobre
"""

DUTCH = """
aan al bij dan dat de der deze die dit door een en er had heb hebben heeft hem het hier
hij hoe hun ik in is je kan maar me meer met mij na naar niet nog nu of om omdat ons ook
op over te tegen toen tot u uit van veel voor was wat we werd wel wij worden zal ze zei
zich zij zijn zo zou
"""

POLISH = """
a aby ale bardzo bez był była były było być by co czy dla do go gdy gdzie i ich im ja
jak jako jakie je jego jej jest jeszcze jednak już każdy kiedy kto która które którego
której który których ku lub ma mają może można mu na nad nam nas nie nim niż o od on ona
one oni oraz po pod podczas przed przez przy roku się są ta tak także tam te tego tej ten
to tu tych tylko tym u w we więc wszystko z za że żeby zostać został została zostały
także według lat mln proc
"""

TURKISH = """
acaba ama ancak artık aslında az bana bazı belki ben benim beri bile bir biri birkaç
birşey biz bize bu buna bunda bundan bunlar bunu bunun burada da daha de değil diye
en gibi göre hem hep hepsi her hiç için ile ise kadar ki kendi kendisi mi mı mu mü ne
neden nasıl o olan olarak oldu olduğu olduğunu olmak olması olup on ona ondan onlar onu
onun sonra şey şu tarafından ve veya ya yani yıl yılında çok çünkü üzerinde ayrıca
dedi ilk iki son
"""

RUSSIAN = """
а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да
даже для до его ее её если есть еще ещё же за здесь и из или им их к как когда кто ли
либо между меня мне может мы на над надо наш не него нее неё нет ни них но ну о об однако
он она они оно от очень по под после при про с со так также такой там те тем то того
тоже только том ты у уже хотя чего чей чем что чтобы эта эти это этого этом этот я
который которая которые которых года году лет заявил также
"""

ARABIC = """
في من على إلى الى عن مع أن ان إن هذا هذه ذلك تلك التي الذي الذين كان كانت يكون لا لم لن
ما هو هي هم كما قد أو او بين حتى بعد قبل عند كل أي لقد منذ خلال حيث وقد وفي ومن وعلى
وأن وهو وهي ولا إلا الا أكثر عليه عليها فيه فيها منه منها له لها لهم ثم أيضا اليوم وقال
قال وكان وكانت يتم بعض غير فقط
"""

# Words of the lists above that English news uses as content words: never dropped.
ENGLISH_CONTENT = frozenset(
    ["war", "son", "mist", "bin", "gift", "rat", "arm", "hat", "fast", "bald", "pan", "ton"]
)

STOP_WORDS: frozenset[str] = frozenset(ENGLISH.split()) | (
    frozenset(
        " ".join(
            (GERMAN, SPANISH, FRENCH, ITALIAN, PORTUGUESE, DUTCH, POLISH, TURKISH, RUSSIAN, ARABIC)
        ).split()
    )
    - ENGLISH_CONTENT
)
