import pytest


@pytest.mark.django_db
def test_login_page_renders_in_each_language(client):
    for code, word in (("kk", 'lang="kk"'), ("ru", 'lang="ru"'), ("en", 'lang="en"')):
        response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=code)
        assert response.status_code == 200
        assert word in response.content.decode()


@pytest.mark.django_db
def test_staff_menu_renders_without_every_app_present(client, world):
    client.force_login(world.clerk)
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/staff/")
    request.user = world.clerk
    html = render_to_string("staff/base.html", request=request)
    assert "staff-menu" in html
