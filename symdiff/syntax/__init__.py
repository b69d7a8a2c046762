"""Text in and out: the Lark parser for the grammar, the text and LaTeX printers and the
JSON graph form. Each printer is a table keyed by op."""
