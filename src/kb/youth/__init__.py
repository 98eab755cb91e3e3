"""Pages for children and young people (`/jongeren`): their rights in the procedure and where to go."""
