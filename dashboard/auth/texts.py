"""What sign-in, the admin pages and uploads say, in Swedish and English."""

from __future__ import annotations

from dashboard.i18n import words

TEXT = {
    # sign-in and sign-out
    "sign_in": ("Logga in", "Sign in"),
    "sign_in_title": ("Logga in – Samverkan", "Sign in – Samverkan"),
    "sign_in_lead": ("Uppföljningen av samverkansöverenskommelser. Logga in för att se de "
                     "överenskommelser du har behörighet till.",
                     "Follow-up of collaboration agreements. Sign in to see the agreements "
                     "you have access to."),
    "login": ("Användarnamn", "User name"),
    "password": ("Lösenord", "Password"),
    "sign_in_sso": ("Logga in med {label}", "Sign in with {label}"),
    "sso_default": ("organisationens konto", "your organisation's account"),
    "or": ("eller", "or"),
    "wrong": ("Fel användarnamn eller lösenord.", "Wrong user name or password."),
    "blocked": ("För många misslyckade försök. Försök igen om {seconds} sekunder.",
                "Too many failed attempts. Try again in {seconds} seconds."),
    "expired_form": ("Formuläret hade gått ut. Försök igen.",
                     "The form had expired. Please try again."),
    "no_local": ("Inloggning med lösenord är avstängd här: använd organisationens "
                 "inloggning.",
                 "Signing in with a password is switched off here: use your "
                 "organisation's sign-in."),
    "sso_failed": ("Inloggningen via {label} misslyckades. Försök igen, eller kontakta den "
                   "som förvaltar instrumentpanelen.",
                   "Signing in with {label} failed. Try again, or contact whoever maintains "
                   "the dashboard."),
    "sso_no_login": ("Inloggningen via {label} gav inget användarnamn ({claim}).",
                     "Signing in with {label} gave no user name ({claim})."),
    "sso_unknown": ("Du har inget konto här än. Be en administratör att skapa ett åt dig "
                    "({login}).",
                    "You have no account here yet. Ask an administrator to create one for "
                    "you ({login})."),
    "disabled": ("Kontot är avstängt. Kontakta en administratör.",
                 "The account is disabled. Contact an administrator."),
    "sign_out": ("Logga ut", "Sign out"),
    "sign_out_title": ("Logga ut – Samverkan", "Sign out – Samverkan"),
    "sign_out_lead": ("Vill du logga ut från Samverkan?",
                      "Do you want to sign out of Samverkan?"),
    "signed_out_title": ("Du är utloggad – Samverkan", "You are signed out – Samverkan"),
    "signed_out": ("Du är utloggad", "You are signed out"),
    "signed_out_lead": ("Stäng webbläsaren om du använder en delad dator.",
                        "Close the browser if you use a shared computer."),
    "sign_in_again": ("Logga in igen", "Sign in again"),
    "signed_in_as": ("Inloggad som {name}", "Signed in as {name}"),
    "local_admin_name": ("lokal administratör", "local administrator"),
    "local_admin_banner": ("Inga konton finns ännu, så du använder instrumentpanelen som "
                           "lokal administratör på den här datorn. Skapa ett "
                           "administratörskonto under Administration: sedan krävs "
                           "inloggning.",
                           "There are no accounts yet, so you are using the dashboard as the "
                           "local administrator on this computer. Create an administrator "
                           "account under Administration: from then on, signing in is "
                           "required."),
    "admin": ("Administration", "Administration"),
    "upload": ("Ladda upp data", "Upload data"),
    "audit": ("Granskningslogg", "Audit log"),
    "no_roles": ("Du har ännu ingen behörighet till någon överenskommelse. Be en "
                 "administratör att ge dig en roll.",
                 "You have no access to any agreement yet. Ask an administrator to give you "
                 "a role."),
    "your_clusters": ("Dina kluster", "Your clusters"),
    "refused": ("Det du bad om finns inte, eller så har du inte behörighet till det. Ladda "
                "om sidan.",
                "What you asked for does not exist, or you have no access to it. Reload the "
                "page."),
    "not_signed_in": ("Du är inte inloggad (eller så har inloggningen gått ut). Logga in "
                      "igen.",
                      "You are not signed in (or the sign-in has expired). Sign in again."),
    "csrf": ("Förfrågan saknade sidans säkerhetsnyckel (eller kom från en annan webbplats). "
             "Ladda om sidan.",
             "The request lacked the page's security token (or came from another site). "
             "Reload the page."),
    "back": ("Tillbaka", "Back"),
    # accounts
    "bad_login": ("”{login}” är inget giltigt användarnamn: använd bokstäverna a–z, siffror "
                  "och . _ - @ +.",
                  "'{login}' is not a valid user name: use the letters a–z, digits and "
                  ". _ - @ +."),
    "no_account": ("Kontot ”{login}” finns inte.", "The account '{login}' does not exist."),
    "account_exists": ("Kontot ”{login}” finns redan.", "The account '{login}' already exists."),
    "bad_role": ("”{role}” är ingen roll: välj {roles}.",
                 "'{role}' is not a role: choose {roles}."),
    "bad_id": ("”{value}” är ingen giltig kod (bokstäver, siffror, - och _).",
               "'{value}' is not a valid code (letters, digits, - and _)."),
    "cluster_viewer_only": ("Ett kluster kan bara ha läsare; rollen {role} gäller hela "
                            "överenskommelsen.",
                            "A cluster has viewers only; the role {role} is for the whole "
                            "agreement."),
    "cluster_needs_agreement": ("Ange överenskommelsen till klustret (--agreement).",
                                "Give the cluster's agreement (--agreement)."),
    "password_short": ("Lösenordet måste ha minst {n} tecken.",
                       "The password must have at least {n} characters."),
    "password_long": ("Lösenordet är för långt.", "The password is too long."),
    "last_admin": ("Det är den sista administratören: utse en annan först.",
                   "That is the last administrator: make someone else one first."),
    "agreement_not_stored": ("Överenskommelsen finns inte i databasen än (rollen gäller när "
                             "den importeras).",
                             "The agreement is not in the database yet (the role applies "
                             "once it is imported)."),
    "cluster_not_stored": ("Klustret finns inte i databasen än.",
                           "The cluster is not in the database yet."),
    "role_viewer": ("läsare", "viewer"),
    "role_member": ("ledamot", "member"),
    "role_steward": ("dataförvaltare", "data steward"),
}


def tt(key: str, lang: str = "sv", **params) -> str:
    return words(TEXT, key, lang, params)
