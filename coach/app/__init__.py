"""App: what a signed-in user may do (service), the Gradio handlers, users, history, the desk.

Only the light names are re-exported here: importing the handlers loads Gradio.
"""

from coach.app.users import add_user, load_users, remove_user

__all__ = ["add_user", "load_users", "remove_user"]
