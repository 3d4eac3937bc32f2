from cachemount.lint import lint


def codes(text, only=None):
    return [f.code for f in lint(text) if only is None or f.code == only]


def findings(text, code):
    return [f for f in lint(text) if f.code == code]


def line_of(text, finding):
    return text.count("\n", 0, finding.start) + 1
