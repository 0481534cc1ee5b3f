"""PDFs made by the tests themselves (reportlab, with its built-in CID font for Chinese: nothing embedded,
nothing downloaded): a two-column Chinese report with a running head and page numbers, and a scan."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

FONT = "STSong-Light"
HEAD = "厦门日报 · 政务要闻"
SENTENCES = [
    "同安区召开质量强区大会，总结去年工作并部署今年任务。",
    "会议指出，要坚持以高质量发展为主题，推动产业转型升级。",
    "市政府有关部门负责人出席会议并讲话。",
    "今年全市粮食产量再创新高，农民收入稳步增长。",
    "各级干部要深入基层，倾听群众意见，解决实际困难。",
    "据统计，上半年全区规模以上工业增加值同比增长百分之八点五。",
    "下一步，将进一步优化营商环境，支持民营企业发展。",
    "与会代表围绕科技创新、城乡建设和生态保护等议题展开讨论。",
]
TABLE = [["指标", "数值"], ["工业增加值", "增长八点五"], ["粮食产量", "再创新高"]]


def body_paragraphs(count: int = 30) -> list[str]:
    """Paragraphs of three to six sentences, each opened by its own number (so its order can be told)."""
    paragraphs = []
    for number in range(count):
        sentences = [SENTENCES[(number * 3 + k) % len(SENTENCES)] for k in range(3 + number % 4)]
        paragraphs.append(f"第{_numeral(number + 1)}段。" + "".join(sentences))
    return paragraphs


def _numeral(number: int) -> str:
    """1 to 99 in Chinese numerals (ASCII digits in the body would look like page numbers)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(number, 10)
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] if ones else "")


def two_column_report(paragraphs: list[str], table: bool = False) -> bytes:
    """The paragraphs in two columns on A4 pages, each page with the running head and its number."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = A4
    margin, gutter = 50.0, 24.0
    column = (width - 2 * margin - gutter) / 2
    frames = [
        Frame(margin + k * (column + gutter), margin, column, height - 2 * margin, id=f"c{k}")
        for k in range(2)
    ]

    def decorate(page: canvas.Canvas, document: BaseDocTemplate) -> None:
        page.setFont(FONT, 9)
        page.drawString(margin, height - 30, HEAD)
        page.drawCentredString(width / 2, 25, str(document.page))

    document = BaseDocTemplate(out, pagesize=A4)
    document.addPageTemplates([PageTemplate(frames=frames, onPage=decorate)])
    style = ParagraphStyle(
        "body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK", firstLineIndent=20, spaceAfter=6
    )
    flow = [Paragraph(text, style) for text in paragraphs]
    if table:
        grid = PdfTable(TABLE, colWidths=[90, 90])
        grid.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), FONT)])
        )
        flow.insert(3, grid)
    document.build(flow)
    return out.getvalue()


def scanned_page() -> bytes:
    """A PDF whose one page is an image of text: no text layer at all."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(picture).rectangle((40, 60, 360, 90), fill="black")  # a "line of print"
    out = io.BytesIO()
    picture.save(out, format="PDF")
    return out.getvalue()


def latin_columns() -> bytes:
    """Two pages of English in two columns, drawn line by line: a word hyphenated at a line's end, a
    paragraph going on from the left column to the right, a running head and "Page N of 2" feet."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for number, (left, right) in enumerate(LATIN_PAGES, start=1):
        page.setFont("Helvetica", 9)
        page.drawString(50, 810, "City Gazette - Council news")
        page.drawCentredString(297, 30, f"Page {number} of {len(LATIN_PAGES)}")
        page.setFont("Helvetica", 10)
        for x, lines in ((50, left), (310, right)):
            for k, line in enumerate(lines):
                page.drawString(x, 760 - 14 * k, line)
        page.showPage()
    page.save()
    return out.getvalue()


LATIN_PAGES = [
    (
        [
            "The council met on Monday to discuss",
            "the budget of the city for the com-",
            "ing year and its schools.",
        ],
        [
            "The mayor said that the new plan",
            "would be put to a vote in the",
            "spring, after a month of public",
        ],
    ),
    (
        ["hearings in every district of the city.", "", "Residents may send their views by"],
        ["letter or by e-mail until March.", "", "The next meeting is on Friday."],
    ),
]
LATIN_PARAGRAPHS = [
    "The council met on Monday to discuss the budget of the city for the coming year and its schools.",
    "The mayor said that the new plan would be put to a vote in the spring, after a month of public "
    "hearings in every district of the city.",
    "Residents may send their views by letter or by e-mail until March.",
    "The next meeting is on Friday.",
]


TITLE = "关于进一步优化营商环境的通知"
FOOT = "厦门市人民政府办公厅"


def titled_report(paragraphs: list[str]) -> bytes:
    """A title across the first page above two columns; a foot of the issuing office and "第 N 页"."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = A4
    margin, gutter = 50.0, 24.0
    column = (width - 2 * margin - gutter) / 2
    title = Frame(margin, height - margin - 60, width - 2 * margin, 60, id="title")
    first = [title] + [
        Frame(margin + k * (column + gutter), margin, column, height - 2 * margin - 70, id=f"a{k}")
        for k in range(2)
    ]
    rest = [
        Frame(margin + k * (column + gutter), margin, column, height - 2 * margin, id=f"b{k}")
        for k in range(2)
    ]

    def foot(page: canvas.Canvas, document: BaseDocTemplate) -> None:
        page.setFont(FONT, 9)
        page.drawRightString(width - margin, 25, f"{FOOT}  第 {document.page} 页")

    document = BaseDocTemplate(out, pagesize=A4)
    document.addPageTemplates(
        [PageTemplate("first", frames=first, onPage=foot), PageTemplate("rest", frames=rest, onPage=foot)]
    )
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK", firstLineIndent=20, spaceAfter=6
    )
    big = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=1)
    flow = [Paragraph(TITLE, big), FrameBreak(), NextPageTemplate("rest")]
    document.build(flow + [Paragraph(text, body) for text in paragraphs])
    return out.getvalue()
