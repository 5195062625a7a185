"""Two-way push (双向推送) of new matches, and the feedback that changes later rankings."""
