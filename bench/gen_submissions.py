#!/usr/bin/python3
"""Deterministic generator of realistic pupil homework submissions (.eml, CRLF).

    gen_submissions.py OUTDIR [--count 300] [--seed 1] [--text-only]

Default mode: COUNT messages with 1-3 "phone photo" JPEG attachments each
(about 1.6 MB each as base64 in the mail; 300 messages come to about 700 MB).
--text-only: small text messages (a few KB each, no attachments), e.g.
--text-only --count 5000 for the IMAP benchmark.

Same arguments -> byte-identical files (Python stdlib only, no clock, no hash()).

Besides OUTDIR/sub-NNNNN.eml it writes:
  OUTDIR/expected.jsonl     the ground truth for every message, in the same JSON
                            shape as `gmime_reader --json` (text with LF line ends)
  OUTDIR/expected-checksum.txt  the `checksum:` line that a correct reader prints
                            for this set (see bench/README.md for the definition)
"""

import argparse
import base64
import binascii
import datetime
import hashlib
import html
import json
import os
import random
import sys
import time
import urllib.parse

CRLF = b"\r\n"

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

BOYS = [  # full name, everyday name, transliterated everyday name
    ("Пётр", "Петя", "petya"), ("Иван", "Ваня", "vanya"), ("Александр", "Саша", "sasha"),
    ("Дмитрий", "Дима", "dima"), ("Максим", "Максим", "maksim"), ("Артём", "Артём", "artem"),
    ("Михаил", "Миша", "misha"), ("Никита", "Никита", "nikita"), ("Егор", "Егор", "egor"),
    ("Кирилл", "Кирилл", "kirill"), ("Алексей", "Лёша", "lesha"), ("Сергей", "Серёжа", "serezha"),
    ("Андрей", "Андрей", "andrey"), ("Илья", "Илья", "ilya"), ("Тимофей", "Тима", "tima"),
    ("Матвей", "Матвей", "matvey"), ("Фёдор", "Федя", "fedya"), ("Роман", "Рома", "roma"),
]
GIRLS = [
    ("Анастасия", "Настя", "nastya"), ("Мария", "Маша", "masha"), ("Анна", "Аня", "anya"),
    ("Дарья", "Даша", "dasha"), ("Екатерина", "Катя", "katya"), ("Софья", "Соня", "sonya"),
    ("Полина", "Полина", "polina"), ("Виктория", "Вика", "vika"), ("Елизавета", "Лиза", "liza"),
    ("Ксения", "Ксюша", "ksyusha"), ("Алиса", "Алиса", "alisa"), ("Варвара", "Варя", "varya"),
    ("Юлия", "Юля", "yulya"), ("Ульяна", "Уля", "ulya"), ("Василиса", "Василиса", "vasilisa"),
]
SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков "
    "Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров "
    "Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов "
    "Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов "
    "Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Щербаков Назаров Калинин Исаев "
    "Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев "
    "Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков "
    "Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов "
    "Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов "
    "Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев "
    "Харитонов Князев Цветков Левин Воронцов Капустин Зуев Суворов Щукин Шевченко Ковальчук"
).split()

PATRONYMICS = [("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Андреевич", "Андреевна"),
               ("Дмитриевич", "Дмитриевна"), ("Игоревич", "Игоревна"), ("Олегович", "Олеговна"),
               ("Владимирович", "Владимировна"), ("Николаевич", "Николаевна")]

TEACHERS = [  # name-patronymic (for the greeting), surname, address
    ("Мария Ивановна", "Петрова", "m.petrova"), ("Ольга Николаевна", "Соколова", "o.sokolova"),
    ("Елена Викторовна", "Кузнецова", "e.kuznetsova"), ("Татьяна Сергеевна", "Морозова", "t.morozova"),
    ("Ирина Александровна", "Волкова", "i.volkova"), ("Наталья Петровна", "Лебедева", "n.lebedeva"),
    ("Светлана Юрьевна", "Козлова", "s.kozlova"), ("Андрей Владимирович", "Орлов", "a.orlov"),
    ("Сергей Михайлович", "Никитин", "s.nikitin"), ("Галина Фёдоровна", "Захарова", "g.zakharova"),
]
SCHOOL_DOMAIN = "school57.edu.ru"

SUBJECTS = [  # nominative, dative (по ...), short
    ("математика", "математике", "матем"), ("русский язык", "русскому языку", "русский"),
    ("литература", "литературе", "лит-ра"), ("физика", "физике", "физика"),
    ("химия", "химии", "химия"), ("биология", "биологии", "био"), ("история", "истории", "история"),
    ("география", "географии", "геогр"), ("английский язык", "английскому языку", "англ"),
    ("информатика", "информатике", "информ"), ("обществознание", "обществознанию", "общество"),
    ("алгебра", "алгебре", "алгебра"), ("геометрия", "геометрии", "геометрия"),
]
ESSAYS = [
    "Образ Татьяны Лариной в романе «Евгений Онегин»", "Моё любимое время года",
    "Тема маленького человека в повести «Шинель»", "Как я провёл лето",
    "Война и мир: образ Наташи Ростовой", "Роль природы в рассказах Тургенева",
    "Что такое настоящая дружба", "Подвиг народа в Великой Отечественной войне",
]

SENTENCES = [
    "Отправляю домашнее задание.", "Высылаю выполненное задание, фото во вложении.",
    "Простите, что поздно, не успел(а) раньше из-за тренировки.",
    "В номере 3 не уверен(а) в ответе, проверьте, пожалуйста.",
    "Задачу 5 решил(а) двумя способами.", "Упражнение сделал(а) полностью, кроме последнего пункта.",
    "Фото получились немного тёмные, если что-то не видно — напишите, переснимлю.",
    "Это исправленный вариант работы.", "Вчера был(а) болен(на), поэтому сдаю сегодня.",
    "Прикладываю страницы по порядку.", "Таблицу заполнил(а) по учебнику, стр. 112.",
    "График построил(а) на миллиметровке.", "Спасибо!",
    "Можно ли пересдать контрольную на следующей неделе?",
    "Ответ к задаче: 42 см², проверка сходится.",
    "Сочинение написал(а) от руки, как Вы просили.",
    "Лабораторную оформил(а) по образцу: цель, оборудование, ход работы, вывод.",
]
ESSAY_SENTENCES = [
    "Каждый человек хотя бы раз в жизни задумывался о том, что такое настоящее счастье.",
    "Автор показывает нам героя, который долго не может сделать выбор между долгом и чувством.",
    "На мой взгляд, главная мысль произведения заключается в том, что доброта сильнее силы.",
    "В начале повести мы видим скромного и незаметного человека, которого никто не замечает.",
    "Природа в рассказе не просто фон: она отражает настроение героев и подсказывает читателю развязку.",
    "Я согласен(на) с автором: нельзя судить о человеке по первому впечатлению.",
    "Особенно мне запомнилась сцена, где герой впервые решается сказать правду.",
    "Эта история учит нас ценить близких людей, пока они рядом.",
    "Писатель использует яркие эпитеты и сравнения, чтобы передать красоту осеннего леса.",
    "Таким образом, можно сделать вывод, что поступки героя объясняются его воспитанием.",
    "Решение: пусть x — скорость первого поезда, тогда скорость второго равна x + 15 км/ч.",
    "Составим уравнение: 3x + 3(x + 15) = 345, откуда 6x = 300 и x = 50.",
    "Ответ: 50 км/ч и 65 км/ч.",
    "Дано: m = 2 кг, v = 3 м/с. Найти: кинетическую энергию тела.",
    "Eк = mv²/2 = 2 · 9 / 2 = 9 Дж.",
    "Вывод: при увеличении длины маятника период колебаний увеличивается.",
    "Hydrogen peroxide decomposes into water and oxygen — это реакция разложения.",
    "Упражнение 214: расставить знаки препинания, выделить грамматические основы.",
    "Петр I провёл реформы армии, флота и государственного управления.",
    "Климат Восточно-Европейской равнины умеренно-континентальный.",
]

CLASSES = [f"{n}{l}" for n in range(5, 12) for l in "АБВГ"]

PHONES = [("Apple", "iPhone 12"), ("Apple", "iPhone 13 Pro"), ("Apple", "iPhone SE"),
          ("samsung", "SM-A525F"), ("Xiaomi", "Redmi Note 10 Pro"), ("HUAWEI", "MAR-LX1M"),
          ("realme", "RMX3085"), ("HONOR", "HRY-LX1T"), ("POCO", "M2102J20SG")]

TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split()))


def translit(s):
    return "".join(TRANSLIT.get(c, c) for c in s.lower()).replace("_", "")


def feminine(surname):
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname  # Шевченко, Ковальчук


# Characters a KOI8-R client cannot send get the usual ASCII stand-ins.
KOI8_FIX = {"«": '"', "»": '"', "—": "-", "–": "-", "№": "N", "²": "2", "·": "*", "…": "..."}
CP1251_FIX = {"²": "2", "·": "*"}


def fit(text, charset):
    """Return text as a client using this charset would send it."""
    if charset == "koi8-r":
        text = "".join(KOI8_FIX.get(c, c) for c in text)
    elif charset == "windows-1251":
        text = "".join(CP1251_FIX.get(c, c) for c in text)
    text.encode(charset)  # must not fail
    return text


# --------------------------------------------------------------------------
# Encoders
# --------------------------------------------------------------------------

Q_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def q_byte(b):
    if b == 0x20:
        return "_"
    if b in Q_SAFE:
        return chr(b)
    return "=%02X" % b


def encoded_words(text, charset, label, enc, limit=75, pad=True):
    """RFC 2047: split text into encoded-words of at most `limit` chars each,
    never splitting a character. pad=False drops the base64 '=' padding (as some
    Apple Mail versions do)."""
    prefix = f"=?{label}?{enc}?"
    room = limit - len(prefix) - 2
    words, cur = [], b""

    def size(raw):
        if enc == "B":
            return (len(raw) + 2) // 3 * 4
        return sum(len(q_byte(b)) for b in raw)

    for ch in text:
        cb = ch.encode(charset)
        if cur and size(cur + cb) > room:
            words.append(cur)
            cur = b""
        cur += cb
    if cur:
        words.append(cur)
    out = []
    for raw in words:
        if enc == "B":
            payload = base64.b64encode(raw).decode("ascii")
            if not pad:
                payload = payload.rstrip("=")
        else:
            payload = "".join(q_byte(b) for b in raw)
        out.append(prefix + payload + "?=")
    return out


def fold_words(name, first, words, sep=" "):
    """Header `name: first w1 w2 ...` folded at 76 columns with CRLF SP."""
    line = f"{name}: {first}"
    lines = []
    for i, w in enumerate(words):
        glue = "" if (i == 0 and (not first or first.endswith(" "))) else sep
        if len(line) + len(glue) + len(w) > 76 and line.strip() and not line.endswith(": "):
            lines.append(line)
            line = " " + w
        else:
            line += glue + w
    lines.append(line)
    return "\r\n".join(lines)


def rfc2231_value(text, charset, label):
    return f"{label}''" + urllib.parse.quote(text.encode(charset), safe="!#$&+-.^_`|~")


def rfc2231_param(pname, text, charset, label, chunk=None):
    """`filename*=UTF-8''...` or, when chunk is given, continuations
    `filename*0*=UTF-8''...; filename*1*=...` (never splitting a %XX)."""
    val = rfc2231_value(text, charset, label)
    if not chunk or len(val) <= chunk:
        return [f"{pname}*={val}"]
    parts, i = [], 0
    while i < len(val):
        j = min(len(val), i + chunk)
        # do not cut inside %XX
        while j < len(val) and "%" in val[j - 2:j]:
            j -= 1
        parts.append(val[i:j])
        i = j
    return [f"{pname}*{n}*={p}" for n, p in enumerate(parts)]


def param_lines(ctype, params, sep="\r\n "):
    """`Content-Type: x/y;\r\n p1;\r\n p2` (one parameter per folded line)."""
    if not params:
        return ctype
    return ctype + ";" + ";".join(sep + p for p in params)


def qp_encode(body_crlf):
    return binascii.b2a_qp(body_crlf, quotetabs=False, istext=True, header=False)


def b64_lines(data):
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


# --------------------------------------------------------------------------
# "Phone photos": a JPEG SOI/APP1(Exif) header + pseudo-random data + EOI.
# The bulk comes from one pre-encoded pseudo-random pool (windows at random
# 57-byte-aligned offsets), so 700 MB take seconds; each photo still has its
# own header, size and SHA-256.
# --------------------------------------------------------------------------

POOL_LINES = 600_000          # 600k base64 lines = 34.2 MB of data, 46.8 MB encoded


class Pool:
    def __init__(self, seed):
        self.raw = hashlib.shake_256(f"schoolmail-bench-pool:{seed}".encode()).digest(57 * POOL_LINES)
        enc = binascii.b2a_base64(self.raw, newline=False)
        self.enc = b"\r\n".join([enc[i:i + 76] for i in range(0, len(enc), 76)]) + b"\r\n"
        assert len(self.enc) == 78 * POOL_LINES

    def window(self, start, nlines):
        """(raw pieces, encoded pieces) for nlines lines from line `start`, wrapping."""
        raws, encs = [], []
        while nlines:
            n = min(nlines, POOL_LINES - start)
            raws.append(memoryview(self.raw)[57 * start:57 * (start + n)])
            encs.append(memoryview(self.enc)[78 * start:78 * (start + n)])
            nlines -= n
            start = 0
        return raws, encs


def jpeg_header(rng, make, model, when):
    """SOI + APP1 Exif (Make, Model, DateTime) + DQT + SOF0, padded to a multiple of 57."""
    def ascii_z(s):
        return s.encode("ascii") + b"\0"
    strings = [(0x010F, ascii_z(make)), (0x0110, ascii_z(model)),
               (0x0132, ascii_z(when.strftime("%Y:%m:%d %H:%M:%S")))]
    n = len(strings)
    ifd_size = 2 + 12 * n + 4
    data_off = 8 + ifd_size
    ifd = n.to_bytes(2, "big")
    blob = b""
    for tag, s in strings:
        ifd += tag.to_bytes(2, "big") + (2).to_bytes(2, "big") + len(s).to_bytes(4, "big") + \
            (data_off + len(blob)).to_bytes(4, "big")
        blob += s
    ifd += b"\0\0\0\0"
    tiff = b"MM\0*" + (8).to_bytes(4, "big") + ifd + blob
    exif = b"Exif\0\0" + tiff
    w, h = rng.choice([(4032, 3024), (3024, 4032), (4000, 3000), (3264, 2448), (4624, 3472)])
    dqt = b"\xff\xdb\x00\x43\x00" + bytes(rng.randrange(1, 64) for _ in range(64))
    sof = b"\xff\xc0\x00\x11\x08" + h.to_bytes(2, "big") + w.to_bytes(2, "big") + \
        b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    fixed = 2 + 4 + len(exif) + len(dqt) + len(sof)
    pad = (-fixed) % 57 + 57 * rng.randrange(0, 4)
    exif += b"\0" * pad
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    hdr = b"\xff\xd8" + app1 + dqt + sof
    assert len(hdr) % 57 == 0
    return hdr


def make_photo(rng, pool, make, model, when, size_target):
    hdr = jpeg_header(rng, make, model, when)
    body_lines = (size_target - len(hdr)) // 57
    start = rng.randrange(POOL_LINES)
    raws, encs = pool.window(start, body_lines)
    tail = rng.randbytes(rng.randrange(0, 57)) + b"\xff\xd9"
    raw_parts = [hdr] + raws + [tail]
    enc_parts = [b64_lines(hdr)] + encs + [b64_lines(tail)]
    h = hashlib.sha256()
    size = 0
    for p in raw_parts:
        h.update(p)
        size += len(p)
    return enc_parts, size, h.hexdigest()


# --------------------------------------------------------------------------
# Mail clients
# --------------------------------------------------------------------------

def rhex(rng, n, upper=False):
    s = "".join(rng.choice("0123456789abcdef") for _ in range(n))
    return s.upper() if upper else s


def ralnum(rng, n):
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                   for _ in range(n))


def ruuid(rng, upper=False):
    h = rhex(rng, 32, upper)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


MSK = datetime.timezone(datetime.timedelta(hours=3))


def rfc_date(dt):
    return dt.strftime("%a, %d %b %Y %H:%M:%S %z")  # C locale day/month names


CLIENTS = ["mailru", "yandex", "gmail", "outlook", "thunderbird", "iphone", "thebat"]
CLIENT_WEIGHTS = [26, 22, 18, 10, 8, 12, 4]

MAILBOX_DOMAINS = {
    "mailru": ["mail.ru", "mail.ru", "bk.ru", "list.ru", "inbox.ru"],
    "yandex": ["yandex.ru", "yandex.ru", "ya.ru"],
    "gmail": ["gmail.com"],
    "outlook": ["mail.ru", "outlook.com", "rambler.ru", "yandex.ru"],
    "thunderbird": ["yandex.ru", "mail.ru", "rambler.ru"],
    "iphone": ["mail.ru", "icloud.com", "yandex.ru", "gmail.com"],
    "thebat": ["rambler.ru", "mail.ru", "narod.ru"],
}


class Client:
    """Per-client choices: charsets, encodings, header styles, boundaries."""

    def __init__(self, kind, rng, ts):
        self.kind, self.rng, self.ts = kind, rng, ts
        r = rng
        # charset used for the body and for encoded-words, and its label spelling
        if kind == "outlook":
            self.charset = r.choice(["windows-1251"] * 4 + ["koi8-r"])
        elif kind == "thebat":
            self.charset = r.choice(["koi8-r", "koi8-r", "windows-1251"])
        elif kind == "thunderbird":
            self.charset = r.choice(["utf-8", "utf-8", "windows-1251"])
        else:
            self.charset = "utf-8"
        self.label = {
            "mailru": "UTF-8", "yandex": "utf-8", "gmail": "UTF-8", "iphone": "utf-8",
        }.get(kind) or {"utf-8": "UTF-8", "windows-1251": "windows-1251", "koi8-r": "koi8-r"}[self.charset]
        if kind == "outlook":
            self.label = {"windows-1251": "windows-1251", "koi8-r": "koi8-r"}[self.charset]
        if kind == "thebat":
            self.label = {"windows-1251": "Windows-1251", "koi8-r": "KOI8-R"}[self.charset]
        # header charset may differ from the body's (Thunderbird always UTF-8 in headers)
        self.hcharset, self.hlabel = self.charset, self.label
        if kind == "thunderbird":
            self.hcharset, self.hlabel = "utf-8", "UTF-8"
        # RFC 2047 flavour of subject / display name
        self.subj_enc = {
            "mailru": "B", "yandex": "B", "thunderbird": "B", "iphone": "Q",
            "gmail": r.choice("BBQ"), "outlook": r.choice("BQ"), "thebat": r.choice("BQ"),
        }[kind]
        self.name_enc = {"iphone": "Q", "thebat": self.subj_enc}.get(kind, "B")
        self.name_pad = True
        if kind == "iphone" and r.random() < 0.25:   # Apple Mail: B without '=' padding
            self.name_enc, self.name_pad = "B", False

    # ---- boundaries
    def boundary(self, level):
        r, ts = self.rng, self.ts
        k = self.kind
        if k == "mailru":
            return f"--ALT--{ralnum(r, 16)}{ts}" if level else f"----ALT--{ralnum(r, 16)}{ts}"
        if k == "yandex":
            return f"----==--bound.{r.randrange(10000, 99999)}.{r.choice(['sas1', 'myt5', 'vla3', 'iva4'])}-{rhex(r, 12)}.qloud-c.yandex.net"
        if k == "gmail":
            return "000000000000" + rhex(r, 16)
        if k == "outlook":
            return f"----=_NextPart_00{level}_{r.randrange(0, 0xffff):04X}_01DB{rhex(r, 4, True)}.{rhex(r, 8, True)}"
        if k == "thunderbird":
            return "------------" + ralnum(r, 24)
        if k == "iphone":
            return f"Apple-Mail={'_' if level == 0 else '-'}{ruuid(r, True)}"
        return "----------" + rhex(r, 13, True)

    def message_id(self, domain):
        r, ts = self.rng, self.ts
        k = self.kind
        if k == "mailru":
            return f"<{ts}.{r.randrange(10**8, 10**9)}@f{r.randrange(100, 999)}.i.mail.ru>"
        if k == "yandex":
            return f"<{r.randrange(10**5, 10**6)}{ts}@{r.choice(['sas1', 'myt5', 'vla3'])}-{rhex(r, 12)}.qloud-c.yandex.net>"
        if k == "gmail":
            return "<CA" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-=")
                                   for _ in range(48)) + "@mail.gmail.com>"
        if k == "outlook":
            return f"<000{rhex(r, 1)}01db{rhex(r, 4)}${rhex(r, 8)}${rhex(r, 8)}$@{domain}>"
        if k == "thunderbird":
            return f"<{ruuid(r)}@{domain}>"
        if k == "iphone":
            return f"<{ruuid(r, True)}@{domain}>"
        return f"<{r.randrange(10**8, 10**9)}.{datetime.datetime.fromtimestamp(ts, MSK).strftime('%Y%m%d%H%M%S')}@{domain}>"

    def agent_headers(self):
        r = self.rng
        k = self.kind
        if k == "mailru":
            return [f"X-Mailer: Mail.Ru Mailer 1.0", f"X-Originating-IP: [{r.randrange(5, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}]",
                    f"X-Mras: Ok", f"X-Mailru-Src: {r.choice(['web', 'mobile_app'])}"]
        if k == "yandex":
            return ["X-Mailer: Yamail [ http://yandex.ru ] 5.0", f"X-Yandex-Spam: 1"]
        if k == "gmail":
            return []
        if k == "outlook":
            return ["X-Mailer: Microsoft Outlook 16.0", "Content-Language: ru",
                    "Thread-Index: " + base64.b64encode(r.randbytes(22)).decode()]
        if k == "thunderbird":
            return ["User-Agent: Mozilla Thunderbird", "Content-Language: ru"]
        if k == "iphone":
            return ["X-Mailer: iPhone Mail (" + r.choice(["20B101", "21A351", "20G75", "21E236"]) + ")"]
        return ["X-Mailer: The Bat! (v9.4.5) Professional", "X-Priority: 3 (Normal)"]

    def dkim(self, domain):
        r = self.rng
        b = base64.b64encode(r.randbytes(128)).decode()
        bh = base64.b64encode(r.randbytes(32)).decode()
        sel = {"mailru": "mail4", "yandex": "mail", "gmail": "20230601"}.get(self.kind, "s1")
        lines = [f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s={sel};",
                 f"\tt={self.ts}; bh={bh};",
                 "\th=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type;"]
        b_lines = [b[i:i + 64] for i in range(0, len(b), 64)]
        lines.append("\tb=" + b_lines[0])
        lines += ["\t " + x for x in b_lines[1:]]
        return "\r\n".join(lines)


# --------------------------------------------------------------------------
# Message builder
# --------------------------------------------------------------------------

class Part:
    """A MIME leaf or multipart, serialised to a list of bytes chunks."""

    def __init__(self, headers, body=None, children=None, boundary=None, preamble=None):
        self.headers = headers          # list of str (already folded, no CRLF at end)
        self.body = body                # list of bytes chunks (leaf)
        self.children = children        # list of Part (multipart)
        self.boundary = boundary
        self.preamble = preamble

    def chunks(self, out):
        for h in self.headers:
            out.append(h.encode("ascii") + CRLF)
        out.append(CRLF)
        if self.children is None:
            out.extend(self.body)       # every body ends with CRLF
            return
        b = self.boundary.encode("ascii")
        first = True
        if self.preamble:
            out.append(self.preamble.encode("ascii") + CRLF)
            first = False
        for c in self.children:
            # a blank line before each delimiter: the CRLF in front of "--b" belongs to
            # the delimiter, so every part's content keeps its own final CRLF
            out.append((b"" if first else CRLF) + b"--" + b + CRLF)
            first = False
            c.chunks(out)
        out.append(CRLF + b"--" + b + b"--" + CRLF)


def text_body_part(cl, text, subtype, cte, extra_ct=None):
    """Leaf text/plain or text/html; `text` has LF line ends and ends with LF.
    Returns (Part, expected decoded text with LF)."""
    data = text.replace("\n", "\r\n").encode(cl.charset)
    params = [f"charset={cl.label if cl.kind != 'outlook' else cl.charset}"]
    if cl.kind == "thunderbird" and subtype == "plain":
        params = [f"charset={cl.label}", "format=flowed"]
    if extra_ct:
        params += extra_ct
    ctype = f"text/{subtype}; " + "; ".join(params) if cl.kind in ("gmail", "yandex", "mailru", "thunderbird") \
        else param_lines(f"text/{subtype}", params, "\r\n\t" if cl.kind in ("iphone", "outlook") else "\r\n ")
    headers = [f"Content-Type: {ctype}", f"Content-Transfer-Encoding: {cte}"]
    if cte == "base64":
        body = [b64_lines(data)]
    elif cte == "quoted-printable":
        body = [qp_encode(data)]
    else:
        body = [data]
    return Part(headers, body=body), text


def wrap(text, width=72, flowed=False):
    out = []
    for para in text.split("\n"):
        line = ""
        for w in para.split(" "):
            if line and len(line) + 1 + len(w) > width:
                out.append(line + (" " if flowed else ""))
                line = w
            else:
                line = (line + " " + w) if line else w
        out.append(line)
    return "\n".join(out)


def to_html(cl, text):
    esc = [html.escape(l, quote=False) for l in text.rstrip("\n").split("\n")]
    if cl.kind == "gmail":
        return '<div dir="ltr">' + "".join(f"<div>{l or '<br>'}</div>" for l in esc) + "</div>\n"
    if cl.kind == "mailru":
        return "\n<HTML><BODY>" + "".join(f"<div>{l or '&nbsp;'}</div>" for l in esc) + "</BODY></HTML>\n"
    if cl.kind == "yandex":
        return "<div>" + "</div><div>".join(l or "&nbsp;" for l in esc) + "</div>\n"
    if cl.kind == "outlook":
        body = "\n".join(f'<p class=MsoNormal>{l or "<o:p>&nbsp;</o:p>"}<o:p></o:p></p>' for l in esc)
        return ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">'
                f'<head><meta http-equiv=Content-Type content="text/html; charset={cl.charset}">'
                '<meta name=Generator content="Microsoft Word 15 (filtered medium)">'
                "<style><!--\n/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n"
                "\t{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:\"Calibri\",sans-serif;}\n--></style></head>"
                f'<body lang=RU link="#0563C1" vlink="#954F72"><div class=WordSection1>\n{body}\n</div></body></html>\n')
    return ("<html>\n<head>\n<meta http-equiv=\"content-type\" content=\"text/html; charset="
            f"{cl.label}\">\n</head>\n<body>\n" + "<br>\n".join(esc) + "\n</body>\n</html>\n")


def build_message(i, seed, text_only, pool):
    rng = random.Random(f"schoolmail-bench:{seed}:{'text' if text_only else 'photo'}:{i}")
    kind = rng.choices(CLIENTS, CLIENT_WEIGHTS)[0]
    # the school year: submissions spread over autumn 2024, mostly afternoons and evenings
    base = datetime.datetime(2024, 9, 2, 0, 0, tzinfo=MSK)
    day = rng.randrange(0, 110)
    when = base + datetime.timedelta(days=day, hours=rng.choice([14, 15, 16, 17, 17, 18, 19, 20, 21, 22, 23]),
                                     minutes=rng.randrange(60), seconds=rng.randrange(60))
    ts = int(when.timestamp())
    cl = Client(kind, rng, ts)
    cs = cl.charset

    girl = rng.random() < 0.5
    full, nick, nick_lat = rng.choice(GIRLS if girl else BOYS)
    sur = rng.choice(SURNAMES)
    sur_g = feminine(sur) if girl else sur
    sur_lat = translit(sur)
    klass = rng.choice(CLASSES)
    domain = rng.choice(MAILBOX_DOMAINS[kind])
    local = rng.choice([f"{sur_lat}.{nick_lat}", f"{nick_lat}.{sur_lat}", f"{sur_lat}{rng.randrange(2008, 2019)}",
                        f"{nick_lat}_{sur_lat}", f"{nick_lat}{sur_lat[0]}{rng.randrange(1, 999)}"])
    address = f"{local}@{domain}"
    patr = rng.choice(PATRONYMICS)[1 if girl else 0]
    display = rng.choice([f"{nick} {sur_g}", f"{full} {sur_g}", f"{sur_g} {full}", f"{sur_g} {nick}",
                          f"{nick} {sur_g} {klass}", f"{sur_g} {full} {patr}"])
    display = fit(display, cl.hcharset)
    t_io, t_sur, t_local = rng.choice(TEACHERS)
    subj_nom, subj_dat, subj_short = rng.choice(SUBJECTS)
    date_s = f"{when.day:02d}.{when.month:02d}"
    n1, n2 = rng.randrange(1, 40), rng.randrange(5, 250)

    subject = rng.choice([
        f"Домашнее задание по {subj_dat}",
        f"ДЗ {subj_short} {klass} {sur_g} {full[0]}.",
        f"{subj_nom.capitalize()} — домашняя работа за {date_s}",
        f"Д/з {subj_short} {date_s}, {sur_g} {nick}",
        f"Сочинение «{rng.choice(ESSAYS)}»",
        f"Контрольная работа, {klass}, {sur_g}",
        f"Исправленная работа по {subj_dat} (№{n1})",
        f"Упр. {n2} стр. {n1 + 20} — {sur_g} {nick}",
        f"Лабораторная работа №{n1 % 9 + 1} по физике {klass}",
        f"{sur_g} {full} {klass} {subj_nom} {date_s}",
    ])
    reply = rng.random() < 0.25
    if reply:
        subject = "Re: " + rng.choice([f"Задание на {date_s}", f"Домашнее задание по {subj_dat}",
                                       f"Работа над ошибками, {klass}"])
    subject = fit(subject, cl.hcharset)

    # ---- body text (LF line ends, ends with LF)
    sent = [f"Здравствуйте, {t_io}!", ""]
    para = " ".join(rng.sample(SENTENCES, rng.randrange(1, 4)))
    sent.append(para)
    if text_only:
        target = rng.randrange(200, 1500)
        cur = sum(len(s) for s in sent)
        while cur < target:
            p = " ".join(rng.choice(ESSAY_SENTENCES) for _ in range(rng.randrange(2, 6)))
            sent += ["", p]
            cur += len(p)
    sent += ["", f"{'Выполнила' if girl else 'Выполнил'}: {sur_g} {full}, {klass} класс."]
    if reply:
        sent += ["", f"{rfc_date(when - datetime.timedelta(days=1, hours=3))[:-6]}, {t_io} {t_sur} <{t_local}@{SCHOOL_DOMAIN}>:",
                 f"> Задание на {date_s}: учебник, стр. {n1 + 20}, упр. {n2}.",
                 "> Сдать до 18:00. Работы принимаются фотографией или файлом."]
    sig = {
        "mailru": "\n-- \nОтправлено из мобильной Почты Mail.ru" if rng.random() < 0.5 else "",
        "yandex": "\n-- \nОтправлено из мобильного приложения Яндекс Почты" if rng.random() < 0.4 else "",
        "gmail": "", "outlook": "", "thunderbird": "", "thebat": "\n-- \nС уважением,\n " + f"{sur_g} {full}",
        "iphone": "",
    }[kind]
    text = "\n".join(sent) + sig + "\n"
    text = fit(text, cs)
    flowed = kind == "thunderbird"
    text = wrap(text, 72, flowed)

    # ---- text structure and transfer encodings
    html_only = kind == "yandex" and rng.random() < 0.12
    alt = kind in ("mailru", "gmail", "outlook") or (kind == "yandex" and not html_only) or \
        (kind == "thunderbird" and rng.random() < 0.2)
    if kind in ("mailru", "gmail"):
        ctes = ("base64", rng.choice(["base64", "quoted-printable"]) if kind == "gmail" else "base64")
    elif kind == "yandex":
        ctes = (rng.choice(["base64", "8bit"]), "base64")
    elif kind == "outlook":
        ctes = ("quoted-printable", "quoted-printable")
    elif kind in ("thunderbird",):
        ctes = ("8bit", "8bit")
    elif kind == "iphone":
        ctes = ("quoted-printable", None)
    else:
        ctes = (rng.choice(["8bit", "quoted-printable"]), None)

    if html_only:
        body_html = to_html(cl, text)
        text_part, exp_text = text_body_part(cl, body_html, "html", ctes[1])
        exp_is_html = True
    elif alt:
        plain, exp_text = text_body_part(cl, text, "plain", ctes[0])
        hpart, _ = text_body_part(cl, to_html(cl, text), "html", ctes[1])
        ab = cl.boundary(1)
        text_part = Part([f"Content-Type: multipart/alternative; boundary=\"{ab}\""],
                         children=[plain, hpart], boundary=ab)
        exp_is_html = False
    else:
        text_part, exp_text = text_body_part(cl, text, "plain", ctes[0])
        exp_is_html = False

    # ---- attachments
    attachments = []
    exp_atts = []
    if not text_only:
        natt = rng.choices([1, 2, 3], [70, 20, 10])[0]
        make, model = rng.choice(PHONES[:3] if kind == "iphone" else PHONES)
        names = []
        for k in range(1, natt + 1):
            nm = rng.choice([
                f"Фото {k}.jpg", f"ДЗ_{sur_g}_{klass}_{k}.jpeg", f"Домашнее задание {subj_short} {date_s} ({k}).jpg",
                f"Контрольная работа {sur_g} {full} {klass} страница {k}.jpg",
                f"Сочинение {sur_g} лист {k}.jpg", f"изображение_{k}.jpg", f"Скан {date_s} {k}.jpg",
                f"Лабораторная №{n1 % 9 + 1} {sur_g} {klass} (лист {k}).jpg",
                f"упр {n2} стр {n1 + 20} — {nick}.jpg",
            ])
            nm = fit(nm, "windows-1251" if kind == "outlook" else ("koi8-r" if cs == "koi8-r" else "utf-8"))
            names.append(nm)
        for k, nm in enumerate(names):
            size_target = rng.randrange(1_050_000, 1_400_000)
            shot = when - datetime.timedelta(minutes=rng.randrange(5, 600))
            enc_parts, size, sha = make_photo(rng, pool, make, model, shot, size_target)
            headers = attachment_headers(cl, rng, nm, size, shot, k)
            attachments.append(Part(headers, body=enc_parts))
            exp_atts.append({"name": nm, "type": "image/jpeg", "size": size, "sha256": sha})

    # ---- top-level headers
    hdrs = []
    recv_host = rng.choice(["mx1", "mx2"]) + "." + SCHOOL_DOMAIN
    hdrs.append(f"Return-Path: <{address}>")
    hdrs.append(f"Received: from {recv_host} ({recv_host} [127.0.0.1])\r\n\tby mail.{SCHOOL_DOMAIN} with LMTP"
                f"\r\n\tid {ralnum(rng, 12)}; {rfc_date(when + datetime.timedelta(seconds=2))}")
    hdrs.append(f"Received: from smtp{rng.randrange(1, 60)}.{domain} (smtp.{domain} "
                f"[{rng.randrange(5, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}])\r\n"
                f"\tby {recv_host} (Postfix) with ESMTPS id {rhex(rng, 10, True)}\r\n\tfor <{t_local}@{SCHOOL_DOMAIN}>; "
                f"{rfc_date(when + datetime.timedelta(seconds=1))}")
    if kind in ("mailru", "yandex", "gmail"):
        hdrs.append(cl.dkim(domain))
    from_words = encoded_words(display, cl.hcharset, cl.hlabel, cl.name_enc, pad=cl.name_pad)
    to_words = encoded_words(f"{t_io} {t_sur}", cl.hcharset, cl.hlabel, cl.name_enc)
    if reply and rng.random() < 0.6:
        subj_hdr = fold_words("Subject", "Re: ", encoded_words(subject[4:], cl.hcharset, cl.hlabel, cl.subj_enc))
    else:
        subj_hdr = fold_words("Subject", "", encoded_words(subject, cl.hcharset, cl.hlabel, cl.subj_enc))
    from_hdr = fold_words("From", "", from_words + [f"<{address}>"])
    to_hdr = fold_words("To", "", to_words + [f"<{t_local}@{SCHOOL_DOMAIN}>"])
    msgid = cl.message_id(domain)
    order = {
        "outlook": ["From", "To", "Subject", "Date", "Message-ID", "reply", "MIME-Version", "ct", "agent"],
        "thunderbird": ["Message-ID", "Date", "MIME-Version", "agent", "reply", "To", "From", "Subject", "ct"],
        "iphone": ["ct", "MIME-Version", "Subject", "From", "reply", "Date", "Message-ID", "To", "agent"],
    }.get(kind, ["From", "To", "Subject", "MIME-Version", "agent", "Date", "reply", "Message-ID", "ct"])

    if attachments:
        children = [text_part] + attachments
        if kind == "iphone":  # Apple Mail ends with a second text/plain after the photos
            children.append(text_body_part(cl, "\n\nОтправлено с iPhone\n", "plain", "quoted-printable")[0])
        mb = cl.boundary(0)
        sep = "\r\n\t" if kind in ("iphone", "outlook") else " "
        top = Part([f"Content-Type: multipart/mixed;{sep}boundary=\"{mb}\""], children=children, boundary=mb)
        if kind in ("thunderbird", "outlook", "thebat"):
            top.preamble = "This is a multi-part message in MIME format."
    else:
        top = text_part
    top_ct = top.headers        # Content-Type (+ Content-Transfer-Encoding for a leaf)
    for key in order:
        if key == "From":
            hdrs.append(from_hdr)
        elif key == "To":
            hdrs.append(to_hdr)
        elif key == "Subject":
            hdrs.append(subj_hdr)
        elif key == "Date":
            hdrs.append("Date: " + rfc_date(when))
        elif key == "Message-ID":
            hdrs.append(f"Message-ID: {msgid}")
        elif key == "MIME-Version":
            hdrs.append("MIME-Version: 1.0" + (" (Mac OS X Mail 16.0 \\(3774.300.61.1.2\\))" if kind == "iphone" else ""))
        elif key == "agent":
            hdrs.extend(cl.agent_headers())
        elif key == "reply" and reply:
            parent = f"<{rhex(rng, 16)}.{ts - 86400}@{SCHOOL_DOMAIN}>"
            hdrs.append(f"In-Reply-To: {parent}")
            if rng.random() < 0.8:
                older = f"<{rhex(rng, 16)}.{ts - 3 * 86400}@{SCHOOL_DOMAIN}>"
                hdrs.append(f"References: {older}\r\n {parent}")
        elif key == "ct":
            hdrs.extend(top_ct)
    top.headers = hdrs
    out = []
    top.chunks(out)
    expected = {
        "subject": subject,
        "from": [{"name": display, "address": address}],
        "text": exp_text,
        "text_is_html": exp_is_html,
        "attachments": exp_atts,
    }
    return out, expected


def attachment_headers(cl, rng, name, size, shot, k):
    """Attachment headers in the style of each client."""
    kind = cl.kind
    cs_name = {"outlook": cl.charset if cl.charset == "windows-1251" else "windows-1251",
               "thebat": cl.charset}.get(kind, "utf-8")
    label = {"utf-8": "UTF-8", "windows-1251": "windows-1251", "koi8-r": "koi8-r"}[cs_name]
    if kind == "iphone":
        label = "utf-8"
    long_name = len(urllib.parse.quote(name.encode(cs_name))) > 60

    def q2047(enc="B"):
        return '"' + " ".join(encoded_words(name, cs_name, label, enc)) + '"'

    if kind == "gmail":
        att_id = f"f_{ralnum(rng, 9).lower()}{k}"
        return [f"Content-Type: image/jpeg; name={q2047()}",
                f"Content-Disposition: attachment; filename={q2047()}",
                "Content-Transfer-Encoding: base64", f"Content-ID: <{att_id}>", f"X-Attachment-Id: {att_id}"]
    if kind == "yandex":
        return [f"Content-Disposition: attachment;\r\n\tfilename={q2047()}",
                "Content-Transfer-Encoding: base64", "Content-Type: image/jpeg"]
    if kind == "outlook":
        when = rfc_date(shot)
        return [param_lines("Content-Type: image/jpeg", [f"name={q2047()}"], "\r\n\t"),
                "Content-Transfer-Encoding: base64",
                param_lines("Content-Disposition: attachment", [
                    f"filename={q2047()}", f"size={size}", f'creation-date="{when}"',
                    f'modification-date="{when}"'], "\r\n\t")]
    if kind == "mailru":
        fn = rfc2231_param("filename", name, cs_name, label, 45 if long_name else None)
        return [param_lines("Content-Type: image/jpeg", rfc2231_param("name", name, cs_name, label,
                                                                      45 if long_name else None)),
                param_lines("Content-Disposition: attachment", fn),
                "Content-Transfer-Encoding: base64"]
    if kind == "thunderbird":
        fn = rfc2231_param("filename", name, cs_name, label, 60 if long_name else None)
        return [param_lines("Content-Type: image/jpeg", [f"name={q2047()}"]),
                param_lines("Content-Disposition: attachment", fn),
                "Content-Transfer-Encoding: base64"]
    if kind == "iphone":
        fn = rfc2231_param("filename", name, cs_name, label, 50 if long_name else None)
        return [param_lines("Content-Disposition: inline", fn, "\r\n\t"),
                param_lines("Content-Type: image/jpeg", ["x-unix-mode=0644", f"name={q2047()}"], "\r\n\t"),
                "Content-Transfer-Encoding: base64"]
    # The Bat!: RFC 2231 in the message's 8-bit charset, both parameters
    return [param_lines("Content-Type: image/jpeg", rfc2231_param("name", name, cs_name, label)),
            "Content-Transfer-Encoding: base64",
            param_lines("Content-Disposition: attachment", rfc2231_param("filename", name, cs_name, label))]


# --------------------------------------------------------------------------
# Checksum (same definition as gmime_reader --bench)
# --------------------------------------------------------------------------

class Checksum:
    def __init__(self):
        self.messages = self.atts = self.att_bytes = self.text_bytes = 0
        self.sums = {k: 0 for k in ("att", "name", "subject", "from", "text")}

    def add(self, key, data):
        d = int.from_bytes(hashlib.sha256(data).digest(), "big")
        self.sums[key] = (self.sums[key] + d) % (1 << 256)

    def message(self, e):
        self.messages += 1
        if e["subject"] is not None:
            self.add("subject", e["subject"].encode())
        for m in e["from"]:
            self.add("from", (m["name"] or "").encode() + b"\0" + (m["address"] or "").encode())
        if e["text"] is not None:
            t = e["text"].replace("\r\n", "\n").encode()
            self.text_bytes += len(t)
            self.add("text", t)
        for a in e["attachments"]:
            self.atts += 1
            self.att_bytes += a["size"]
            d = int(a["sha256"], 16)
            self.sums["att"] = (self.sums["att"] + d) % (1 << 256)
            if a["name"] is not None:
                self.add("name", a["name"].encode())

    def line(self):
        h = {k: "%064x" % v for k, v in self.sums.items()}
        return (f"checksum: messages={self.messages} attachments={self.atts} attachment_bytes={self.att_bytes} "
                f"att_sha256_sum={h['att']} name_sha256_sum={h['name']} subject_sha256_sum={h['subject']} "
                f"from_sha256_sum={h['from']} text_bytes={self.text_bytes} text_sha256_sum={h['text']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=None, help="number of messages (300; 5000 with --text-only)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--text-only", action="store_true", help="small text messages, no attachments")
    args = ap.parse_args()
    count = args.count if args.count is not None else (5000 if args.text_only else 300)
    t0 = time.monotonic()
    os.makedirs(args.outdir, exist_ok=True)
    pool = None if args.text_only else Pool(args.seed)
    width = max(5, len(str(count)))
    total = 0
    ck = Checksum()
    with open(os.path.join(args.outdir, "expected.jsonl"), "w", encoding="utf-8", newline="\n") as man:
        for i in range(1, count + 1):
            chunks, expected = build_message(i, args.seed, args.text_only, pool)
            name = f"sub-{i:0{width}d}.eml"
            with open(os.path.join(args.outdir, name), "wb") as f:
                f.writelines(chunks)
                total += f.tell()
            ck.message(expected)
            man.write(json.dumps({"file": name, **expected}, ensure_ascii=False) + "\n")
    with open(os.path.join(args.outdir, "expected-checksum.txt"), "w") as f:
        f.write(ck.line() + "\n")
    dt = time.monotonic() - t0
    print(f"wrote {count} messages, {total} bytes ({total / 1e6:.1f} MB) to {args.outdir} in {dt:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
