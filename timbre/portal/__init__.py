"""Server-rendered web pages (Jinja2): onboarding, sign-in links, password reset."""
