//! The HTML page: one file, styles and SVG inline, no network fetch.
//!
//! Its one script writes each plot's box (page pixels) into `<body
//! data-plot-boxes>`, so a headless browser's DOM dump tells a test where to
//! look in a screenshot of the same window size for drawn data.

/// A plot: the SVG and a caption saying what it shows and from which file.
pub struct Figure {
    pub svg: String,
    pub caption: String,
}

/// A section per input file.
pub struct Section {
    pub heading: String,
    pub figures: Vec<Figure>,
    /// Why a plot the command could give is absent (e.g. an older file without the field).
    pub notes: Vec<String>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;background:#fff}\
figure.plot{margin:0 0 28px 0;width:960px}figure.plot>svg{display:block;border:1px solid #ddd}\
figcaption{font-size:13px;color:#444;margin-top:6px}h2{border-bottom:1px solid #ccc;padding-bottom:4px}\
p.note{font-size:13px;color:#8a4b00}";

const CHECK: &str = "document.body.dataset.plotBoxes=JSON.stringify(\
Array.from(document.querySelectorAll('figure.plot>svg'),function(s){var r=s.getBoundingClientRect();\
return [Math.round(r.left+window.scrollX),Math.round(r.top+window.scrollY),Math.round(r.width),Math.round(r.height)];}));";

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(sections: &[Section]) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hearth report</title>\
         <style>{STYLE}</style></head>\n<body>\n<h1>hearth report</h1>\n"
    );
    for s in sections {
        html.push_str(&format!("<section>\n<h2>{}</h2>\n", escape(&s.heading)));
        for n in &s.notes {
            html.push_str(&format!("<p class=\"note\">{}</p>\n", escape(n)));
        }
        for f in &s.figures {
            html.push_str(&format!(
                "<figure class=\"plot\">\n{}\n<figcaption>{}</figcaption></figure>\n",
                f.svg,
                escape(&f.caption)
            ));
        }
        html.push_str("</section>\n");
    }
    html.push_str(&format!("<script>{CHECK}</script>\n</body></html>\n"));
    html
}
