from villagehub.core.markup import markdown_html, markdown_text


def test_markdown_keeps_headings_links_lists_and_images():
    html = markdown_html(
        "# Title\n\n## Part\n\n- one\n- [two](https://example.org/a)\n\n![A goat](https://example.org/g.png)"
    )
    assert html == (
        "<h2>Title</h2>\n<h2>Part</h2>\n<ul>\n<li>one</li>\n"
        '<li><a href="https://example.org/a" rel="nofollow noopener">two</a></li>\n</ul>\n'
        '<p><img src="https://example.org/g.png" alt="A goat"></p>\n'
    )


def test_raw_html_and_script_links_never_pass():
    html = markdown_html(
        '<script>alert(1)</script> <b onclick="x()">b</b> [x](javascript:alert(1))'
        " <img src=x onerror=alert(1)>"
    )
    assert "<script" not in html
    assert "<b" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_plain_text_of_markdown():
    assert markdown_text("## Fibre & *goats*\n\nA [link](https://x.org).") == (
        "Fibre & goats\nA link."
    )
    assert markdown_text("") == ""


def test_plain_text_written_before_markdown_keeps_its_line_breaks_and_paragraphs():
    old = "Started in 2019.\nRun by volunteers.\n\nOpen to all."
    assert markdown_html(old, breaks=True) == (
        "<p>Started in 2019.<br>\nRun by volunteers.</p>\n<p>Open to all.</p>\n"
    )
    # News bodies, written in Markdown from the start, keep CommonMark's soft breaks.
    assert "<br>" not in markdown_html(old)
