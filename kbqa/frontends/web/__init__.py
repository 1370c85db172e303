"""The web front end: FastAPI app, Gradio chat page, JSON API."""
