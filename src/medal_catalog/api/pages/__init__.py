"""The web pages, server-rendered by the same app (Jinja2 templates and CSS shipped in the package, no
JavaScript needed): search (``/``), landing pages (``/tasks/{id}``, ``/datasets/{id}``), the panel's desk
(``/desk``), a contributor's page (``/mine``), the campaign dashboard (``/campaign``), sign-in, and Swagger UI
offline (``/api/docs``). They ask the API's access rules (api/access.py) and the panel library, never their own."""
