#include "projections/pdf_document.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace projections {
namespace {

// A4 in points, with 2 cm margins.
constexpr double kPageWidth = 595.28, kPageHeight = 841.89, kMargin = 56.7;
constexpr double kTextWidth = kPageWidth - 2 * kMargin;
constexpr double kCellPadding = 4;
// NHS blue, and the text colour of the HTML page.
constexpr double kBlue[3] = {0.0, 0.369, 0.722};
constexpr double kText[3] = {0.129, 0.169, 0.196};

cairo_status_t AppendBytes(void* sink, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(sink)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

struct PdfDocument::Drawing {
  std::string bytes;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  double y = kMargin;

  ~Drawing() {
    if (cr != nullptr) cairo_destroy(cr);
    if (surface != nullptr) cairo_surface_destroy(surface);
  }

  // A layout of `text` in `size` points, `bold` or not, `width` wide.
  PangoLayout* Layout(absl::string_view text, double size, bool bold, double width) {
    PangoLayout* layout = pango_cairo_create_layout(cr);
    PangoFontDescription* font = pango_font_description_from_string("Arial, DejaVu Sans, sans-serif");
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout, font);
    pango_font_description_free(font);
    pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    return layout;
  }

  static double Height(PangoLayout* layout) {
    int width = 0, height = 0;
    pango_layout_get_size(layout, &width, &height);
    return static_cast<double>(height) / PANGO_SCALE;
  }

  // Starts a new page when fewer than `needed` points are left.
  bool Room(double needed) {
    if (y + needed <= kPageHeight - kMargin) return false;
    cairo_show_page(cr);
    y = kMargin;
    return true;
  }

  // Draws `layout` at (x, y) in `colour`.
  void Draw(PangoLayout* layout, double x, double at, const double colour[3]) {
    cairo_set_source_rgb(cr, colour[0], colour[1], colour[2]);
    cairo_move_to(cr, x, at);
    pango_cairo_show_layout(cr, layout);
  }

  // A block of text across the page, with `space` points after it.
  void Block(const char* tag, absl::string_view text, double size, bool bold,
             const double colour[3], double space, double keep_with_next = 0) {
    PangoLayout* layout = Layout(text, size, bold, kTextWidth);
    const double height = Height(layout);
    Room(height + keep_with_next);
    cairo_tag_begin(cr, tag, "");
    Draw(layout, kMargin, y, colour);
    cairo_tag_end(cr, tag);
    g_object_unref(layout);
    y += height + space;
  }

  // One row of a table: each cell's layout, `widths` wide; returns its height.
  double Row(const std::vector<std::string>& cells, const std::vector<double>& widths, bool header,
             bool draw) {
    double height = 0;
    std::vector<PangoLayout*> layouts;
    for (size_t i = 0; i < cells.size(); ++i) {
      layouts.push_back(Layout(cells[i], 9, header, widths[i] - 2 * kCellPadding));
      height = std::max(height, Height(layouts.back()));
    }
    height += 2 * kCellPadding;
    if (draw) {
      cairo_tag_begin(cr, "TR", "");
      double x = kMargin;
      for (size_t i = 0; i < layouts.size(); ++i) {
        cairo_tag_begin(cr, header ? "TH" : "TD", "");
        Draw(layouts[i], x + kCellPadding, y + kCellPadding, kText);
        cairo_tag_end(cr, header ? "TH" : "TD");
        x += widths[i];
      }
      cairo_tag_end(cr, "TR");
      cairo_set_source_rgb(cr, 0.68, 0.72, 0.74);
      cairo_set_line_width(cr, header ? 1.0 : 0.5);
      cairo_move_to(cr, kMargin, y + height);
      cairo_line_to(cr, kMargin + kTextWidth, y + height);
      cairo_stroke(cr);
    }
    for (PangoLayout* layout : layouts) g_object_unref(layout);
    return height;
  }
};

PdfDocument::PdfDocument() : drawing_(std::make_unique<Drawing>()) {
  drawing_->surface = cairo_pdf_surface_create_for_stream(AppendBytes, &drawing_->bytes,
                                                          kPageWidth, kPageHeight);
  drawing_->cr = cairo_create(drawing_->surface);
}

PdfDocument::~PdfDocument() = default;

void PdfDocument::Begin(absl::string_view title) {
  const std::string text(title);
  cairo_pdf_surface_set_metadata(drawing_->surface, CAIRO_PDF_METADATA_TITLE, text.c_str());
  cairo_pdf_surface_set_metadata(drawing_->surface, CAIRO_PDF_METADATA_CREATOR,
                                 "Engagement ledger");
  cairo_tag_begin(drawing_->cr, "Document", "");
  drawing_->Block("H1", title, 18, true, kText, 10);
}

void PdfDocument::Heading(absl::string_view text) {
  drawing_->Block("H2", text, 14, true, kText, 6, /*keep_with_next=*/60);
}

void PdfDocument::Paragraph(absl::string_view html) {
  drawing_->Block("P", HtmlToText(html), 10, false, kText, 8);
}

void PdfDocument::Table(absl::string_view caption, std::vector<std::string> header,
                        const std::vector<std::vector<std::string>>& rows) {
  Drawing& d = *drawing_;
  d.Block("Caption", caption, 10.5, true, kText, 4, /*keep_with_next=*/40);
  if (rows.empty()) {
    d.Block("P", "None.", 9, false, kText, 10);
    return;
  }
  // Columns as wide as their longest text asks, within the page: at least 12% each.
  std::vector<std::vector<std::string>> text_rows;
  for (const auto& row : rows) {
    std::vector<std::string> texts;
    for (const std::string& cell : row) texts.push_back(HtmlToText(cell));
    texts.resize(header.size());
    text_rows.push_back(std::move(texts));
  }
  std::vector<double> want(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) {
    want[i] = static_cast<double>(header[i].size());
    for (const auto& row : text_rows) want[i] = std::max(want[i], static_cast<double>(row[i].size()));
    want[i] = std::clamp(want[i], 6.0, 60.0);
  }
  double total = 0;
  for (double w : want) total += w;
  std::vector<double> widths;
  for (double w : want) widths.push_back(kTextWidth * w / total);
  cairo_tag_begin(d.cr, "Table", "");
  const double header_height = d.Row(header, widths, true, false);
  d.Room(header_height + 20);
  d.y += d.Row(header, widths, true, true);
  for (const auto& row : text_rows) {
    const double height = d.Row(row, widths, false, false);
    if (d.Room(height)) d.y += d.Row(header, widths, true, true);  // the header again
    d.y += d.Row(row, widths, false, true);
  }
  cairo_tag_end(d.cr, "Table");
  d.y += 10;
}

void PdfDocument::Chart(absl::string_view title,
                        const std::vector<std::pair<std::string, double>>& bars,
                        absl::string_view unit) {
  if (bars.empty()) return;
  Drawing& d = *drawing_;
  double most = 0;
  for (const auto& bar : bars) most = std::max(most, bar.second);
  constexpr double kRow = 16, kLabelWidth = 180, kBarWidth = 230;
  d.Room(static_cast<double>(bars.size()) * kRow + 30);
  cairo_tag_begin(d.cr, "Figure", "");
  for (const auto& [label, value] : bars) {
    PangoLayout* name = d.Layout(HtmlToText(label), 8.5, false, kLabelWidth - 6);
    pango_layout_set_alignment(name, PANGO_ALIGN_RIGHT);
    pango_layout_set_ellipsize(name, PANGO_ELLIPSIZE_END);
    d.Draw(name, kMargin, d.y + 2, kText);
    g_object_unref(name);
    const double width = most > 0 ? kBarWidth * value / most : 0;
    cairo_set_source_rgb(d.cr, kBlue[0], kBlue[1], kBlue[2]);
    cairo_rectangle(d.cr, kMargin + kLabelWidth, d.y + 2, width, kRow - 4);
    cairo_fill(d.cr);
    PangoLayout* figure = d.Layout(absl::StrCat(absl::StrFormat("%g", value), HtmlToText(unit)),
                                   8.5, false, 80);
    d.Draw(figure, kMargin + kLabelWidth + width + 4, d.y + 2, kText);
    g_object_unref(figure);
    d.y += kRow;
  }
  cairo_tag_end(d.cr, "Figure");
  d.Block("Caption", title, 9, false, kText, 12);
}

std::string PdfDocument::Finish() {
  cairo_tag_end(drawing_->cr, "Document");
  cairo_destroy(drawing_->cr);
  drawing_->cr = nullptr;
  cairo_surface_finish(drawing_->surface);
  cairo_surface_destroy(drawing_->surface);
  drawing_->surface = nullptr;
  return std::move(drawing_->bytes);
}

}  // namespace projections
