"""The portal's PDF page: A4, Roboto (Cyrillic without system fonts), lines and tables.

The medical record's certificates and the departments' result documents are laid out on it
(fpdf2; the font comes from the font_roboto package, not from the machine).
"""

import font_roboto
from fpdf import FPDF


class Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.add_font("Roboto", "", font_roboto.font_files["Roboto"])
        self.add_font("Roboto", "B", font_roboto.font_files["RobotoBold"])
        self.set_title(title)
        self.set_creator("gorod")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.add_page()
        self.set_font("Roboto", size=11)

    def line_of(self, text: str, *, size: int = 11, bold: bool = False, gap: float = 1) -> None:
        self.set_font("Roboto", "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)

    def table(self, rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        """Rows under a heading row (the first), in columns of these widths."""
        self.set_font("Roboto", size=9)
        with super().table(col_widths=widths, first_row_as_headings=True) as grid:
            for row in rows:
                grid.row([str(cell) for cell in row])
        self.ln(3)
