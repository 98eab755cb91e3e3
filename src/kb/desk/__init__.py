"""The walk-in desk and parents' pages: plain language, local help, a guide, a handout, comparison."""
